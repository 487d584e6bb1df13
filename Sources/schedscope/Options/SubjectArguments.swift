import ArgumentParser
import Foundation
import SchedscopeModel

/// Parsing shared by the common filters (`SelectionOptions`) and the analyses' filters
/// (`AnalysisSelectionOptions`), so both accept and reject the same spellings.
enum SubjectArguments {
    /// `--proc 0,P1,2` as a set (nil when the option was not given).
    static func procs(_ values: [String]) throws -> Set<ProcID>? {
        guard !values.isEmpty else { return nil }
        return Set(try numbers(values, option: "--proc").map { ProcID(UInt32(truncatingIfNeeded: $0)) })
    }

    /// `--task 3,17` as a set (nil when the option was not given).
    static func tasks(_ values: [String]) throws -> Set<TaskID>? {
        guard !values.isEmpty else { return nil }
        return Set(try numbers(values, option: "--task").map { TaskID($0) })
    }

    /// Refuses a `--from` that is not earlier than `--to`.
    static func checkRange(from: UInt64?, to: UInt64?) throws {
        if let from, let to, from >= to {
            throw ValidationError("--from (\(formatDuration(from))) must be earlier than --to (\(formatDuration(to))).")
        }
    }

    private static func numbers(_ values: [String], option: String) throws -> [UInt64] {
        try values.flatMap { $0.split(separator: ",") }.map { part in
            let text = part.trimmingCharacters(in: .whitespaces)
            let digits = text.hasPrefix("P") || text.hasPrefix("p") ? String(text.dropFirst()) : text
            guard let value = UInt64(digits), option != "--proc" || value < UInt64(UInt32.max) else {
                throw ValidationError("\(option) expects numbers separated by commas; '\(text)' is not one.")
            }
            return value
        }
    }
}
