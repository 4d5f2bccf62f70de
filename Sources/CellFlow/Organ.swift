/// An organ: a box in body coordinates (m) holding its capillary bed, where arterial ends meet
/// venous starts, with its tracer kinetics (rate constants in 1/min) and capillary speed.
public struct Organ: Sendable, Equatable {
    public var name: String
    /// Box centre, m.
    public var center: Point3
    /// Box half-extents, m.
    public var halfSize: Point3
    /// Two-tissue compartment model rates, 1/min: blood → C1 (`K1`), C1 → blood (`k2`),
    /// C1 → C2 (`k3`), C2 → C1 (`k4`, 0 for an irreversible model). `k3 = k4 = 0` is a
    /// one-tissue model.
    public var rates: CompartmentRates
    /// Share of the arterial tree's terminal segments that end in this organ (relative weight).
    public var perfusionWeight: Double
    /// Speed of the biased walk through the capillary bed, m/s (CeFloPS default 4 mm/s).
    public var capillarySpeed: Double

    public init(name: String, center: Point3, halfSize: Point3, rates: CompartmentRates,
                perfusionWeight: Double, capillarySpeed: Double = 0.004) {
        self.name = name
        self.center = center
        self.halfSize = halfSize
        self.rates = rates
        self.perfusionWeight = perfusionWeight
        self.capillarySpeed = capillarySpeed
    }

    public func contains(_ p: Point3) -> Bool {
        abs(p.x - center.x) <= halfSize.x && abs(p.y - center.y) <= halfSize.y && abs(p.z - center.z) <= halfSize.z
    }
}

/// Rate constants of a compartment model, 1/min.
public struct CompartmentRates: Sendable, Equatable {
    public var K1, k2, k3, k4: Double
    public init(K1: Double, k2: Double, k3: Double = 0, k4: Double = 0) {
        (self.K1, self.k2, self.k3, self.k4) = (K1, k2, k3, k4)
    }
}

extension Organ {
    /// The default organs: boxes placed on a schematic adult body (z up, metres, heart at
    /// z ≈ 0.35) and FDG-like rates from CeFloPS's rate table (K1, k2, k3 per organ, k4 = 0).
    public static let standard: [Organ] = [
        Organ(name: "brain", center: Point3(0, 0, 0.66), halfSize: Point3(0.07, 0.08, 0.05),
              rates: CompartmentRates(K1: 0.107, k2: 0.165, k3: 0.067), perfusionWeight: 0.13),
        Organ(name: "myocardium", center: Point3(0.03, -0.03, 0.36), halfSize: Point3(0.04, 0.04, 0.04),
              rates: CompartmentRates(K1: 0.832, k2: 2.651, k3: 0.099), perfusionWeight: 0.05),
        Organ(name: "liver", center: Point3(-0.08, 0, 0.22), halfSize: Point3(0.08, 0.07, 0.06),
              rates: CompartmentRates(K1: 0.4134, k2: 0.5089, k3: 0.0129), perfusionWeight: 0.25),
        Organ(name: "spleen", center: Point3(0.1, 0.04, 0.24), halfSize: Point3(0.03, 0.03, 0.04),
              rates: CompartmentRates(K1: 0.8846, k2: 2.0169, k3: 0.0415), perfusionWeight: 0.03),
        Organ(name: "kidney", center: Point3(0, 0.06, 0.15), halfSize: Point3(0.09, 0.03, 0.05),
              rates: CompartmentRates(K1: 0.7023, k2: 1.3542, k3: 0.1778), perfusionWeight: 0.2),
        Organ(name: "pancreas", center: Point3(0.02, 0.02, 0.18), halfSize: Point3(0.06, 0.02, 0.02),
              rates: CompartmentRates(K1: 0.3561, k2: 1.7077, k3: 0.0787), perfusionWeight: 0.02),
        Organ(name: "muscle", center: Point3(0, 0, -0.35), halfSize: Point3(0.15, 0.08, 0.3),
              rates: CompartmentRates(K1: 0.026, k2: 0.249, k3: 0.016), perfusionWeight: 0.32),
    ]
}
