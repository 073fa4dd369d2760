namespace Spike.Nn;

// Seed-era names: the same neurons constructed in multi-step mode ([T, N, ...] in, [T, N, ...] out).

/// <summary>IFNode in multi-step mode (SpikingJelly's <c>MultiStepIFNode</c>).</summary>
public sealed class MultiStepIFNode(double vThreshold = 1.0, double? vReset = 0.0, Surrogate? surrogate = null, bool detachReset = false, bool storeVSeq = false)
    : IFNode(vThreshold, vReset, surrogate, detachReset, StepMode.Multi, storeVSeq);

/// <summary>LifNode in multi-step mode (<c>MultiStepLIFNode</c>).</summary>
public sealed class MultiStepLifNode(double tau = 2.0, bool decayInput = true, double vThreshold = 1.0, double? vReset = 0.0, Surrogate? surrogate = null,
    bool detachReset = false, bool storeVSeq = false)
    : LifNode(tau, decayInput, vThreshold, vReset, surrogate, detachReset, StepMode.Multi, storeVSeq);

/// <summary>ParametricLifNode in multi-step mode (<c>MultiStepParametricLIFNode</c>).</summary>
public sealed class MultiStepParametricLifNode(double initTau = 2.0, bool decayInput = true, double vThreshold = 1.0, double? vReset = 0.0,
    Surrogate? surrogate = null, bool detachReset = false, bool storeVSeq = false)
    : ParametricLifNode(initTau, decayInput, vThreshold, vReset, surrogate, detachReset, StepMode.Multi, storeVSeq);

/// <summary>QifNode in multi-step mode.</summary>
public sealed class MultiStepQifNode(double tau = 2.0, double vC = 0.8, double a0 = 1.0, double vThreshold = 1.0, double vRest = 0.0, double? vReset = -0.1,
    Surrogate? surrogate = null, bool detachReset = false, bool storeVSeq = false)
    : QifNode(tau, vC, a0, vThreshold, vRest, vReset, surrogate, detachReset, StepMode.Multi, storeVSeq);

/// <summary>EifNode in multi-step mode (<c>MultiStepEIFNode</c>).</summary>
public sealed class MultiStepEifNode(double tau = 2.0, double deltaT = 1.0, double thetaRh = 0.8, double vThreshold = 1.0, double vRest = 0.0,
    double? vReset = -0.1, Surrogate? surrogate = null, bool detachReset = false, bool storeVSeq = false)
    : EifNode(tau, deltaT, thetaRh, vThreshold, vRest, vReset, surrogate, detachReset, StepMode.Multi, storeVSeq);
