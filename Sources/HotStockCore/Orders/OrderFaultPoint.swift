#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A step of an order's saga at which a crash test makes the process die
/// (`HOTSTOCK_FAULT_ORDER_STEP=STEP:LINE`, e.g. `hold:2`: right after the second line's
/// hold is placed, in the order the saga walks the lines). Recovery must then finish the
/// order or compensate it.
public struct OrderFaultPoint: Sendable, Equatable {
    /// A kind of saga step.
    public enum Step: String, Sendable, CaseIterable {
        /// A line's hold placed.
        case hold
        /// A line's compensating release done (a refused order).
        case compensate
        /// A line confirmed.
        case confirm
        /// A line released (a cancelled or expired order).
        case release
    }

    /// The step.
    public var step: Step
    /// The line, from 1.
    public var line: Int

    /// Parses `STEP:LINE`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let step = Step(rawValue: String(parts[0])), let line = Int(parts[1]), line >= 1
        else { return nil }
        self.step = step
        self.line = line
    }

    /// Kills the process with SIGKILL when `point` names this step: nothing after it runs,
    /// as when a machine dies.
    static func reached(_ step: Step, line: Int, _ point: OrderFaultPoint?) {
        guard let point, point.step == step, point.line == line else { return }
        kill(getpid(), SIGKILL)
    }
}
