import SchedscopeModel

/// A sink that turns the events of a trace into another format as they are read:
/// `begin()`, then `consume(_:)` for each event in time order, then `finish()`.
public protocol EventExporter: AnyObject {
    func begin() throws
    func consume(_ event: Event) throws
    func finish() throws
}

extension ChromeTraceExporter: EventExporter {}
extension CSVExporter: EventExporter {}
