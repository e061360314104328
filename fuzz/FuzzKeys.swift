import TraceUI

/// libFuzzer entry point: terminal input bytes through `KeyDecoder`, fed as the poll loop reads them.
/// The first byte picks where the rest is cut into reads; the keys must be the same however the
/// bytes are cut, so a sequence or character split between reads is never misread.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let step = Int(data[0] % 16) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var whole = KeyDecoder()
    let expected = whole.feed(bytes) + whole.flush()
    var pieces = KeyDecoder()
    var keys: [Key] = []
    var start = 0
    while start < bytes.count {
        let end = min(start + step, bytes.count)
        keys += pieces.feed(Array(bytes[start..<end]))
        start = end
    }
    keys += pieces.flush()
    precondition(keys == expected, "keys differ when the input is read \(step) bytes at a time")
    return 0
}
