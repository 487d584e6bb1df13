import SchedscopeAnalysis
import SchedscopeModel

/// The headline figures of `analyze` as OpenMetrics text (the exposition format of
/// openmetrics.io, which Prometheus and its Pushgateway read): one metric family per
/// figure with `# TYPE`, `# UNIT` (base units: seconds, ratios) and `# HELP`, label values
/// escaped, and the closing `# EOF`. The names are listed in docs/EXPORT.md.
public enum OpenMetricsReport {
    /// The exposition of `report`; `events` is the number of events analyzed.
    public static func render(_ report: FullReport, info: TraceInfo, events: UInt64) -> String {
        var out = Exposition()
        out.family("schedscope_trace", type: "info", help: "The trace's header.") {
            $0.sample(named: "schedscope_trace_info", labels: [("producer", info.producer), ("clock", info.clock.name)], "1")
        }
        out.gauge("schedscope_events", "Events analyzed.", count: events)
        out.gauge("schedscope_duration_seconds", unit: "seconds", "Length of the analyzed range.",
                  seconds: report.imbalance.durationNanoseconds)
        out.gauge("schedscope_procs", "Ps (logical processors) reported on.", count: UInt64(report.imbalance.procs.count))

        let imbalance = report.imbalance
        out.gauge("schedscope_imbalance_max_over_mean", "Busiest P's busy time over the mean busy time across Ps.",
                  double: imbalance.maxOverMean)
        out.gauge("schedscope_imbalance_cv", "Coefficient of variation of busy time across Ps.", double: imbalance.cv)
        out.gauge("schedscope_imbalance_idle_while_runnable_seconds", unit: "seconds",
                  "Time during which a P was idle while a task was runnable.", seconds: imbalance.idleWhileRunnableNanoseconds)
        if let worst = imbalance.worstWindow {
            out.gauge("schedscope_imbalance_worst_window_max_over_mean", "Max over mean busy time in the most unbalanced window.",
                      double: worst.maxOverMean)
            out.gauge("schedscope_imbalance_worst_window_start_seconds", unit: "seconds",
                      "Start of the most unbalanced window, since the trace start.", seconds: worst.start)
        }
        let procs = imbalance.procs
        out.family("schedscope_proc_busy_seconds", type: "gauge", unit: "seconds", help: "Time some task ran on the P.") { family in
            for proc in procs { family.sample(labels: [("proc", String(proc.proc.rawValue))], seconds(proc.busyNanoseconds)) }
        }
        out.family("schedscope_proc_utilization_ratio", type: "gauge", unit: "ratio", help: "Busy time over the range's length.") { family in
            for proc in procs { family.sample(labels: [("proc", String(proc.proc.rawValue))], number(proc.utilization)) }
        }
        out.family("schedscope_proc_tasks_run", type: "gauge", help: "Task runs started on the P.") { family in
            for proc in procs { family.sample(labels: [("proc", String(proc.proc.rawValue))], String(proc.tasksRun)) }
        }
        out.family("schedscope_proc_steals_in", type: "gauge", help: "Tasks the P stole from others.") { family in
            for proc in procs { family.sample(labels: [("proc", String(proc.proc.rawValue))], String(proc.stealsIn)) }
        }
        out.family("schedscope_proc_steals_out", type: "gauge", help: "Tasks stolen from the P.") { family in
            for proc in procs { family.sample(labels: [("proc", String(proc.proc.rawValue))], String(proc.stealsOut)) }
        }

        let preemption = report.preemption
        out.gauge("schedscope_preemptions", "Tasks stopped by the scheduler (task_preempt).", count: preemption.preemptions)
        out.gauge("schedscope_yields", "Tasks that yielded (task_yield).", count: preemption.yields)
        out.gauge("schedscope_parks", "Tasks that blocked (task_park).", count: preemption.parks)
        out.gauge("schedscope_preemptions_per_busy_second", "Preemptions per second of busy time.", double: preemption.perBusySecond)
        out.gauge("schedscope_preemptions_per_wall_second", "Preemptions per second of the range.", double: preemption.perWallSecond)
        out.gauge("schedscope_preemption_stops_ratio", unit: "ratio", "Share of task stops (yield, preempt, park, end) that were preemptions.",
                  double: preemption.fractionOfStops)

        let latency = report.latency.overall
        out.summary("schedscope_scheduling_latency_seconds", "Time from runnable (create, unpark, yield, preempt) to running.",
                    quantiles: [("0.5", latency.p50), ("0.9", latency.p90), ("0.99", latency.p99)],
                    sum: latency.total, count: latency.count)
        out.gauge("schedscope_scheduling_latency_max_seconds", unit: "seconds", "Longest scheduling latency.", seconds: latency.max)

        let gc = report.gc
        out.gauge("schedscope_gc_cycles", "Garbage-collection cycles begun.", count: gc.cycles)
        out.summary("schedscope_gc_pause_seconds", "Stop-the-world GC pauses.",
                    quantiles: [("0.5", gc.pauseP50), ("0.95", gc.pauseP95), ("0.99", gc.pauseP99)],
                    sum: gc.pauseTotalNanoseconds, count: gc.pauses)
        out.gauge("schedscope_gc_pause_max_seconds", unit: "seconds", "Longest GC pause.", seconds: gc.pauseMax)
        out.gauge("schedscope_gc_pause_time_ratio", unit: "ratio", "Share of the range spent in GC pauses.", double: gc.pauseFraction)

        let leaks = report.leaks
        out.gauge("schedscope_leak_candidates", "Tasks still parked at the end (of the trace or their region).",
                  count: UInt64(leaks.count))
        out.family("schedscope_leak_group_candidates", type: "gauge", help: "Leak candidates by park reason and task label.") { family in
            for group in leaks.groups {
                family.sample(labels: [("reason", group.reason), ("label", group.label)], String(group.count))
            }
        }
        out.gauge("schedscope_starved_tasks", "Tasks runnable at the end that never started again.", count: UInt64(leaks.starved.count))
        out.gauge("schedscope_lost_events", "Events the recorder dropped (verdicts near them are uncertain).", count: leaks.lostEvents)
        out.text += "# EOF\n"
        return out.text
    }

    /// Nanoseconds as exact decimal seconds: `0.000123456`, `2`.
    static func seconds(_ nanoseconds: UInt64) -> String {
        let whole = nanoseconds / 1_000_000_000, fraction = nanoseconds % 1_000_000_000
        guard fraction > 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// A float as OpenMetrics writes it (`NaN`, `+Inf`, `-Inf` for the special values).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

/// The text being built, family by family.
private struct Exposition {
    var text = ""

    struct Family {
        let name: String
        var text = ""

        mutating func sample(named name: String? = nil, labels: [(String, String)] = [], _ value: String) {
            text += name ?? self.name
            if !labels.isEmpty {
                text += "{" + labels.map { "\($0.0)=\"\(TextEscaping.openMetricsLabel($0.1))\"" }.joined(separator: ",") + "}"
            }
            text += " \(value)\n"
        }
    }

    mutating func family(_ name: String, type: String, unit: String? = nil, help: String, samples: (inout Family) -> Void) {
        text += "# TYPE \(name) \(type)\n"
        if let unit { text += "# UNIT \(name) \(unit)\n" }
        text += "# HELP \(name) \(help)\n"
        var family = Family(name: name)
        samples(&family)
        text += family.text
    }

    mutating func gauge(_ name: String, unit: String? = nil, _ help: String, count: UInt64) {
        family(name, type: "gauge", unit: unit, help: help) { $0.sample(String(count)) }
    }

    mutating func gauge(_ name: String, unit: String? = nil, _ help: String, double: Double) {
        family(name, type: "gauge", unit: unit, help: help) { $0.sample(OpenMetricsReport.number(double)) }
    }

    mutating func gauge(_ name: String, unit: String, _ help: String, seconds: UInt64) {
        family(name, type: "gauge", unit: unit, help: help) { $0.sample(OpenMetricsReport.seconds(seconds)) }
    }

    mutating func summary(_ name: String, _ help: String, quantiles: [(String, UInt64)], sum: UInt64, count: UInt64) {
        family(name, type: "summary", unit: "seconds", help: help) { family in
            for (quantile, value) in quantiles where count > 0 {
                family.sample(labels: [("quantile", quantile)], OpenMetricsReport.seconds(value))
            }
            family.sample(named: name + "_sum", OpenMetricsReport.seconds(sum))
            family.sample(named: name + "_count", String(count))
        }
    }
}
