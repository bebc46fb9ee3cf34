import Dispatch
import Foundation
public import Pipeline
import SiglogCLI

/// Keeps the signal sources alive for the life of the process.
nonisolated(unsafe) private var signalSources: [any DispatchSourceSignal] = []

/// Makes SIGINT and SIGTERM ask `interruption` to stop: the running stage finishes or aborts its
/// transaction, its run is recorded as failed (`interrupted by signal`) and the tool exits 130. A
/// second signal ends the process at once (the store stays whole: a transaction commits or not).
/// Call once, from the main thread, before the work starts.
public func stopOnSignals(_ interruption: Interruption) {
    for number in [SIGINT, SIGTERM] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            if interruption.isRequested {
                signal(number, SIG_DFL)
                kill(getpid(), number)
            }
            interruption.request()
            printError("stopping after the current transaction (send the signal again to stop at once)")
        }
        source.resume()
        signalSources.append(source)
    }
}
