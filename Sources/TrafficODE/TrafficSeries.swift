/// Sensor readings on a road network at a fixed time step: `values[(t · sensors + s) · features + f]`
/// is feature f (speed in mph, flow in vehicles per step, …) of sensor s at step t.
///
/// Missing readings are 0, as in METR-LA and PeMS; the metrics mask them. NaNs and negative
/// values are rejected when the series is built.
public struct TrafficSeries: Sendable {
    /// Row-major `(time, sensor, feature)` values.
    public private(set) var values: [Double]
    public let timeSteps: Int
    public let sensors: Int
    public let features: Int
    /// Identifiers of the sensors (the detectors' IDs where the file has them, else "0", "1", …).
    public var sensorIDs: [String]
    /// Names of the features (e.g. `["speed"]`, `["flow", "occupancy", "speed"]`).
    public var featureNames: [String]
    /// Minutes between consecutive readings.
    public var stepMinutes: Double
    /// Index of the first reading's slot in the day (0 = midnight), so that step t falls in
    /// slot (firstSlotOfDay + t) mod stepsPerDay.
    public var firstSlotOfDay: Int
    /// Sensor positions in degrees north and east, where known.
    public var latitude: [Double]?
    public var longitude: [Double]?

    /// Validates and wraps readings. `origin` names the file in errors.
    public init(values: [Double], timeSteps: Int, sensors: Int, features: Int, sensorIDs: [String]? = nil,
                featureNames: [String]? = nil, stepMinutes: Double = 5, firstSlotOfDay: Int = 0, origin: String = "") throws {
        guard timeSteps > 0, sensors > 0, features > 0 else {
            throw TrafficODEError(origin, "the series has \(timeSteps) time steps, \(sensors) sensors and \(features) features; all must be positive")
        }
        guard values.count == timeSteps * sensors * features else {
            throw TrafficODEError(origin, "\(values.count) values for \(timeSteps) × \(sensors) × \(features) (time × sensor × feature)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            let t = bad / (sensors * features), s = (bad / features) % sensors, f = bad % features
            let what = values[bad].isNaN ? "NaN" : values[bad].isFinite ? "negative (\(values[bad]))" : "infinite"
            throw TrafficODEError(origin, "the reading at time step \(t), sensor \(s), feature \(f) is \(what); "
                + "readings must be finite and ≥ 0 (mark a missing reading with 0, which the metrics mask)")
        }
        guard stepMinutes > 0, stepMinutes.isFinite else { throw TrafficODEError(origin, "the time step must be a positive number of minutes, not \(stepMinutes)") }
        self.values = values
        self.timeSteps = timeSteps
        self.sensors = sensors
        self.features = features
        self.sensorIDs = sensorIDs ?? (0..<sensors).map(String.init)
        self.featureNames = featureNames ?? (0..<features).map { "feature\($0)" }
        self.stepMinutes = stepMinutes
        self.firstSlotOfDay = firstSlotOfDay
        guard self.sensorIDs.count == sensors else { throw TrafficODEError(origin, "\(self.sensorIDs.count) sensor IDs for \(sensors) sensors") }
        guard self.featureNames.count == features else { throw TrafficODEError(origin, "\(self.featureNames.count) feature names for \(features) features") }
    }

    /// The first `count` sensors only (their readings, IDs and positions): a smaller network for
    /// quick runs and tests. `count` must be in 1…sensors.
    public func prefix(sensors count: Int) throws -> TrafficSeries {
        guard (1...sensors).contains(count) else { throw TrafficODEError("", "\(count) sensors asked for; the series has \(sensors)") }
        if count == sensors { return self }
        var kept: [Double] = []
        kept.reserveCapacity(timeSteps * count * features)
        for t in 0..<timeSteps { kept += values[(t * sensors * features)..<((t * sensors + count) * features)] }
        var subset = try TrafficSeries(values: kept, timeSteps: timeSteps, sensors: count, features: features, sensorIDs: Array(sensorIDs.prefix(count)),
                                       featureNames: featureNames, stepMinutes: stepMinutes, firstSlotOfDay: firstSlotOfDay)
        subset.latitude = latitude.map { Array($0.prefix(count)) }
        subset.longitude = longitude.map { Array($0.prefix(count)) }
        return subset
    }

    /// Feature f of sensor s at step t.
    @inlinable public func value(time t: Int, sensor s: Int, feature f: Int = 0) -> Double {
        values[(t * sensors + s) * features + f]
    }

    /// Readings per day (288 at 5 minutes).
    public var stepsPerDay: Int { max(1, Int((24 * 60 / stepMinutes).rounded())) }

    /// The slot of the day step t falls in.
    public func slotOfDay(_ t: Int) -> Int { (firstSlotOfDay + t) % stepsPerDay }

    /// One feature as `(time, sensor)` row-major values.
    public func feature(_ f: Int) -> [Double] {
        var out = [Double](repeating: 0, count: timeSteps * sensors)
        for i in 0..<(timeSteps * sensors) { out[i] = values[i * features + f] }
        return out
    }

    /// Each sensor's mean day: for every slot of the day, the mean of feature f over the days in
    /// `steps` (readings equal to 0 — missing — are left out). Returns `sensors` profiles of
    /// `stepsPerDay` values; a slot with no reading takes the sensor's overall mean.
    public func meanDailyProfiles(feature f: Int = 0, steps: Range<Int>? = nil) -> [[Double]] {
        let range = steps ?? 0..<timeSteps
        let slots = stepsPerDay
        var sums = [Double](repeating: 0, count: sensors * slots), counts = [Int](repeating: 0, count: sensors * slots)
        for t in range {
            let slot = slotOfDay(t)
            for s in 0..<sensors {
                let v = value(time: t, sensor: s, feature: f)
                if v != 0 { sums[s * slots + slot] += v; counts[s * slots + slot] += 1 }
            }
        }
        var profiles: [[Double]] = []
        for s in 0..<sensors {
            let row = (s * slots)..<((s + 1) * slots)
            let total: Double = sums[row].reduce(0, +)
            let n: Int = counts[row].reduce(0, +)
            let overall = n > 0 ? total / Double(n) : 0
            var profile = [Double](repeating: overall, count: slots)
            for k in 0..<slots where counts[s * slots + k] > 0 { profile[k] = sums[s * slots + k] / Double(counts[s * slots + k]) }
            profiles.append(profile)
        }
        return profiles
    }
}
