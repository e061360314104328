import Glibc
import TraceFormats
import TraceModel

/// The input is written to a scratch file (already unlinked, in memory when /dev/shm is there) once
/// per run and read back by path, so the harness goes through the loader's own reading and dispatch
/// however it is implemented.
private let scratchFile: Int32 = {
    var template = Array("/dev/shm/tracetui-fuzz-XXXXXX".utf8CString)
    var fd = mkstemp(&template)
    if fd < 0 {
        template = Array("/tmp/tracetui-fuzz-XXXXXX".utf8CString)
        fd = mkstemp(&template)
    }
    precondition(fd >= 0, "cannot make a scratch file")
    unlink(template)
    return fd
}()

/// libFuzzer entry point: raw bytes as `tracetui view FILE` meets them: gzip inflated, zstd named,
/// binary data decoded as OTLP protobuf (one request or a delimited stream), JSON decoded as OTLP,
/// Jaeger or Zipkin by its keys.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    precondition(ftruncate(scratchFile, 0) == 0 && pwrite(scratchFile, data, size, 0) == size, "cannot write the input")
    var store = SpanStore()
    do {
        let result = try TraceLoader.load(path: "/proc/self/fd/\(scratchFile)", into: &store)
        precondition(result.spans == store.spans.count, "spans counted and stored differ")
    } catch let error as LoadError {
        precondition(!error.description.isEmpty, "an error without a message")
    } catch {
        preconditionFailure("the loader threw something other than a LoadError: \(error)")
    }
    readEverything(store)
    return 0
}
