/// What a trace store says in a failed answer, read from its top-level keys: a `message`, and the
/// error object Jaeger's API answers with
/// (`{"error":{"httpCode":404,"message":"No traces found"}}`; the old API's
/// `{"data":null,"errors":[{"code":404,"msg":"trace not found"}]}`).
public struct StoreEnvelope: Equatable, Sendable {
    public var message: String?
    public var errorCode: Int?
    public var errorMessage: String?

    public init(message: String? = nil, errorCode: Int? = nil, errorMessage: String? = nil) {
        self.message = message
        self.errorCode = errorCode
        self.errorMessage = errorMessage
    }

    /// Reads the top-level keys of a JSON object; anything that is not one (or not JSON) has no envelope.
    public static func read(_ bytes: [UInt8]) -> StoreEnvelope {
        var envelope = StoreEnvelope()
        bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONCursor(buffer)
            guard cursor.peek() == UInt8(ascii: "{") else { return }
            _ = try? envelope.readObject(&cursor)
        }
        return envelope
    }

    private mutating func readObject(_ cursor: inout JSONCursor) throws {
        guard try cursor.beginObject() else { return }
        var first = true
        while let key = try cursor.nextKey(&first) {
            if key.is("message"), cursor.peek() == UInt8(ascii: "\"") {
                message = try cursor.string()
            } else if key.is("error"), cursor.peek() == UInt8(ascii: "{") {
                try readError(&cursor)
            } else if key.is("errors"), cursor.peek() == UInt8(ascii: "[") {
                _ = try cursor.beginArray()
                var firstError = true
                while try cursor.nextElement(&firstError) {
                    if errorMessage == nil, cursor.peek() == UInt8(ascii: "{") {
                        try readError(&cursor)
                    } else {
                        try cursor.skipValue()
                    }
                }
            } else {
                try cursor.skipValue()
            }
        }
    }

    private mutating func readError(_ cursor: inout JSONCursor) throws {
        guard try cursor.beginObject() else { return }
        var first = true
        while let key = try cursor.nextKey(&first) {
            if key.is("httpCode") || key.is("code"), cursor.peek() != UInt8(ascii: "\"") {
                errorCode = Int(try cursor.int64())
            } else if key.is("message") || key.is("msg"), cursor.peek() == UInt8(ascii: "\"") {
                errorMessage = try cursor.string()
            } else {
                try cursor.skipValue()
            }
        }
    }
}
