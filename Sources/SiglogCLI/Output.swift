public import SiglogCore
import Foundation

/// Prints a JSON value on stdout as one line.
public func printJSON(_ value: JSONValue) {
    print(JSONWriter().string(value))
}

public func printJSON(_ object: JSONObject) { printJSON(.object(object)) }
