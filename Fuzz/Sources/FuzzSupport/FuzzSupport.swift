/// Runs one libFuzzer input: hands `body` the bytes libFuzzer passed to `LLVMFuzzerTestOneInput`
/// and returns 0 (the only value libFuzzer accepts for an input that was tried).
///
/// Each target defines the entry point itself, in one line (`@_cdecl` must sit in the executable):
/// `@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt { fuzzInput(data, size, check) }`
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> CInt {
    body(UnsafeBufferPointer(start: size > 0 ? data : nil, count: size))
    return 0
}

/// An invariant of the code under test: when it does not hold, the run stops with `message` and
/// libFuzzer saves the input as a crash, like any trap or sanitizer report.
public func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}
