/// The chronological split of a series into training, validation and test segments, and the
/// sliding windows of `inputLength` observed steps followed by `horizon` steps to forecast.
///
/// Segment boundaries are ⌊fraction · T⌋ as in GRAM-ODE's and T-GCN's code (60/20/20 and 80/20);
/// a window lies wholly inside its segment, so on Los-loop's 2,016 steps the 60/20/20 test
/// segment is steps 1612–2015 and holds 381 windows of 12 → 12.
public struct ForecastWindows: Sendable, Equatable {
    public enum Segment: Int, Sendable, CaseIterable {
        case training = 0, validation, test
        public var name: String { ["training", "validation", "test"][rawValue] }
    }

    public let timeSteps: Int
    public let inputLength: Int
    public let horizon: Int
    /// Steps of each segment.
    public let segments: [Range<Int>]
    /// Whether each segment's last possible window is left out, as T-GCN's code does
    /// (`range(len − seq_len − pre_len)`): its protocol on Los-loop has 389 test windows at 12 → 3.
    public let dropsLastWindow: Bool

    /// Splits `timeSteps` steps by `trainingFraction` and `validationFraction` (the rest is the
    /// test segment). Errors when a segment is too short for one window.
    public init(timeSteps: Int, inputLength: Int = 12, horizon: Int = 12, trainingFraction: Double = 0.6,
                validationFraction: Double = 0.2, dropsLastWindow: Bool = false, origin: String = "") throws {
        guard inputLength > 0, horizon > 0 else { throw TrafficODEError(origin, "input length \(inputLength) and horizon \(horizon) must be positive") }
        guard trainingFraction > 0, validationFraction >= 0, trainingFraction + validationFraction < 1 else {
            throw TrafficODEError(origin, "split fractions \(trainingFraction) (training) and \(validationFraction) (validation) must be positive and leave a test segment")
        }
        let a = Int(trainingFraction * Double(timeSteps)), b = Int((trainingFraction + validationFraction) * Double(timeSteps))
        self.timeSteps = timeSteps
        self.inputLength = inputLength
        self.horizon = horizon
        self.dropsLastWindow = dropsLastWindow
        segments = [0..<a, a..<b, b..<timeSteps]
        let needed = inputLength + horizon + (dropsLastWindow ? 1 : 0)
        for segment in Segment.allCases where segment != .validation || validationFraction > 0 {
            let steps = segments[segment.rawValue].count
            guard steps >= needed else {
                throw TrafficODEError(origin, "the \(segment.name) segment has \(steps) time steps, fewer than one window of \(inputLength) + \(horizon) steps; "
                    + "a series of \(timeSteps) steps is too short for this split (horizon longer than the segment, or too few time steps)")
            }
        }
    }

    /// The first input step of every window in a segment: the window starting at s observes steps
    /// s ..< s + inputLength and forecasts s + inputLength ..< s + inputLength + horizon.
    public func windowStarts(in segment: Segment) -> [Int] {
        let range = segments[segment.rawValue]
        let last = range.upperBound - inputLength - horizon - (dropsLastWindow ? 1 : 0)
        return last < range.lowerBound ? [] : Array(range.lowerBound...last)
    }
}

/// z-scoring with statistics of the training segment only (the standard protocol; GRAM-ODE's code
/// scales each split with its own statistics): mean and population standard deviation of one
/// feature over every sensor and training step.
public struct StandardScaler: Sendable, Equatable, Codable {
    public var mean: Double
    public var deviation: Double

    public init(mean: Double, deviation: Double) {
        self.mean = mean
        self.deviation = deviation
    }

    public init(fitting series: TrafficSeries, feature: Int = 0, steps: Range<Int>) throws {
        guard !steps.isEmpty else { throw TrafficODEError("", "no training steps to take the scaling statistics from") }
        var sum = 0.0, squares = 0.0
        for t in steps { for s in 0..<series.sensors { sum += series.value(time: t, sensor: s, feature: feature) } }
        let n = Double(steps.count * series.sensors)
        mean = sum / n
        for t in steps { for s in 0..<series.sensors { let d = series.value(time: t, sensor: s, feature: feature) - mean; squares += d * d } }
        deviation = (squares / n).squareRoot()
        guard deviation > 0 else { throw TrafficODEError("", "the training segment of feature \(feature) is constant (\(mean)); it cannot be z-scored") }
    }

    @inlinable public func scale(_ x: Double) -> Double { (x - mean) / deviation }
    @inlinable public func unscale(_ z: Double) -> Double { z * deviation + mean }
}

extension ForecastWindows {
    /// GRAM-ODE's protocol: 60/20/20 in time order, 12 steps in, 12 out, every window.
    public static func standard(timeSteps: Int, inputLength: Int = 12, horizon: Int = 12, origin: String = "") throws -> ForecastWindows {
        try ForecastWindows(timeSteps: timeSteps, inputLength: inputLength, horizon: horizon, origin: origin)
    }

    /// T-GCN's protocol: 80 % training, 20 % test in time order (no validation), 12 steps in,
    /// `horizon` (its `pre_len`) out, the last window of each segment left out; its metrics pool
    /// every forecast step up to the horizon (``ForecastErrors/metrics(step:throughStep:)``).
    public static func tgcn(timeSteps: Int, inputLength: Int = 12, horizon: Int, origin: String = "") throws -> ForecastWindows {
        try ForecastWindows(timeSteps: timeSteps, inputLength: inputLength, horizon: horizon, trainingFraction: 0.8, validationFraction: 0,
                            dropsLastWindow: true, origin: origin)
    }
}
