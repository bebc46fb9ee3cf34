import Foundation

public import SiglogCore

extension StageChain {
    /// The chain with the queue settings of the environment applied to every stage:
    /// `QUEUE_BATCH_SIZE` (items per claim), `QUEUE_POLL_INTERVAL` and `COMPLETION_POLL_INTERVAL`
    /// (milliseconds). Unset or blank variables leave the file's values; a value that is not a
    /// positive integer is an `InvalidValue` naming the variable.
    public func applyingEnvironment(_ environment: [String: String]) throws(InvalidValue) -> StageChain {
        func positive(_ name: String) throws(InvalidValue) -> Int? {
            guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text), value > 0 else { throw InvalidValue("\(name) must be a positive integer, got '\(text)'") }
            return value
        }
        let batch = try positive("QUEUE_BATCH_SIZE")
        let poll = try positive("QUEUE_POLL_INTERVAL")
        let completion = try positive("COMPLETION_POLL_INTERVAL")
        let stages = self.stages.map { stage in
            var stage = stage
            if let batch { stage.batchSize = batch }
            if let poll { stage.pollInterval = .milliseconds(poll) }
            if let completion { stage.completionPollInterval = .milliseconds(completion) }
            return stage
        }
        return StageChain(stages: stages, trigger: trigger)
    }
}
