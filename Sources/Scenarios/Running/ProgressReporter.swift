import Foundation

/// A progress line on stderr: percentage, simulated time, steps taken and ETA.
///
/// Shown when stderr is a terminal (redrawn in place, at most ~10 times a second); in batch
/// logs it stays quiet unless forced, and then prints one line per 10 % of the work.
public final class ProgressReporter {
    public enum Mode: Sendable {
        /// Terminal: show it; otherwise stay quiet.
        case automatic
        /// Never show progress.
        case quiet
        /// Always show progress, one line per 10 % when stderr is not a terminal.
        case always
    }

    private let isTerminal: Bool
    private let enabled: Bool
    private let mode: Mode
    private var label = ""
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var lastDecile = -1
    private var drewInPlace = false

    public init(mode: Mode) {
        isTerminal = isatty(STDERR_FILENO) == 1
        self.mode = mode
        switch mode {
        case .automatic: enabled = isTerminal
        case .quiet: enabled = false
        case .always: enabled = true
        }
    }

    /// Starts a new piece of work.
    public func begin(_ label: String) {
        self.label = label
        started = Date()
        lastDraw = .distantPast
        lastDecile = -1
    }

    /// Reports progress: the `fraction` done (0...1), the simulated `time` and the `steps` taken.
    public func update(fraction: Double, time: Double? = nil, steps: Int? = nil) {
        guard enabled else { return }
        let now = Date()
        let fraction = min(1, max(0, fraction))
        if isTerminal {
            guard now.timeIntervalSince(lastDraw) >= 0.1 || fraction >= 1 else { return }
            lastDraw = now
            write("\r\u{1B}[K" + line(fraction: fraction, time: time, steps: steps, now: now))
            drewInPlace = true
        } else {
            let decile = Int(fraction * 10)
            guard decile > lastDecile else { return }
            lastDecile = decile
            write(line(fraction: fraction, time: time, steps: steps, now: now) + "\n")
        }
    }

    /// A one-line note on stderr (resumes, skips), unless quiet.
    public func note(_ text: String) {
        guard mode != .quiet else { return }
        if drewInPlace { write("\n"); drewInPlace = false }
        write("note: \(text)\n")
    }

    /// Ends the progress line.
    public func finish() {
        guard enabled, drewInPlace else { return }
        write("\n")
        drewInPlace = false
    }

    private func line(fraction: Double, time: Double?, steps: Int?, now: Date) -> String {
        let elapsed = now.timeIntervalSince(started)
        var text = "\(label)  \(Int(fraction * 100))%"
        if let time { text += "  t=" + String(format: "%.6g", time) }
        if let steps { text += "  steps \(steps)" }
        if fraction > 0, fraction < 1 {
            text += "  ETA " + Self.duration(elapsed * (1 - fraction) / fraction)
        } else {
            text += "  " + Self.duration(elapsed)
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%dh%02dm", Int(seconds) / 3600, Int(seconds) % 3600 / 60)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
