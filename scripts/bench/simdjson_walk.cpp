// The baseline of the scale benchmark (issue 10): how fast can one core merely walk an OTLP JSON file?
// simdjson On-Demand (Debian's libsimdjson-dev 3.0.1) visits every span of every scopeSpans of every
// resourceSpans, every field of each span (skipping the values it does not read), and every attribute
// key of each span; it prints the span count, the attribute count and a checksum of the attribute-key
// lengths, so the work cannot be optimised away. No tree, no interning, no analysis: a lower bound.
//
// Usage: simdjson_walk [--lines] [--payload] FILE
//   FILE alone   one OTLP JSON document ({"resourceSpans":[...]})
//   --lines      JSON Lines (the collector's file exporter): a document a line, parsed in place one
//                after the other on this one thread
//   --payload    also read every attribute value and print the attributes' payload: key bytes +
//                string-value bytes (unescaped) + 8 bytes a non-string value (what a store cannot
//                avoid keeping); not part of the timed baseline
// Built by scripts/bench/scale-bench.sh:
//   g++ -O3 -march=native -std=c++17 scripts/bench/simdjson_walk.cpp -lsimdjson -o bench-data/simdjson_walk
// and run under `taskset -c 0`: one core.
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>

using namespace simdjson;

#define WALK_STR_(x) #x
#define WALK_STR(x) WALK_STR_(x)

namespace {

struct Tally {
    uint64_t spans = 0;
    uint64_t attributes = 0;
    uint64_t keyLengths = 0;  // the checksum: sum of attribute-key lengths
    uint64_t payload = 0;     // with --payload: key bytes + string-value bytes + 8 a non-string value
};

bool payloadMode = false;

void walkSpan(ondemand::object span, Tally &t) {
    t.spans++;
    for (auto field : span) {
        std::string_view name = field.unescaped_key();
        if (name != "attributes") continue;  // the value is skipped by the next iteration
        for (auto attribute : field.value().get_array()) {
            ondemand::object a = attribute.get_object();
            std::string_view key = a.find_field_unordered("key").get_string();
            t.attributes++;
            t.keyLengths += key.size();
            if (payloadMode) {
                t.payload += key.size();
                for (auto v : a.find_field_unordered("value").get_object()) {
                    if (std::string_view(v.unescaped_key()) == "stringValue")
                        t.payload += std::string_view(v.value().get_string()).size();
                    else
                        t.payload += 8;
                }
            }
        }
    }
}

void walkResourceSpans(ondemand::array array, Tally &t) {
    for (auto rs : array) {
        ondemand::object resourceSpans = rs.get_object();
        for (auto field : resourceSpans) {
            if (std::string_view(field.unescaped_key()) != "scopeSpans") continue;
            for (auto ss : field.value().get_array()) {
                ondemand::object scopeSpans = ss.get_object();
                for (auto sf : scopeSpans) {
                    if (std::string_view(sf.unescaped_key()) != "spans") continue;
                    for (auto span : sf.value().get_array()) walkSpan(span.get_object(), t);
                }
            }
        }
    }
}

// A line of a collector's file may hold metrics or logs instead (resourceMetrics, resourceLogs):
// only resourceSpans is walked, anything else is skipped.
void walkDocument(ondemand::document &doc, Tally &t) {
    for (auto top : doc.get_object()) {
        if (std::string_view(top.unescaped_key()) != "resourceSpans") continue;
        walkResourceSpans(top.value().get_array(), t);
    }
}

}  // namespace

int main(int argc, char **argv) {
    bool lines = false;
    int i = 1;
    for (; i < argc - 1; i++) {
        if (std::strcmp(argv[i], "--lines") == 0) lines = true;
        else if (std::strcmp(argv[i], "--payload") == 0) payloadMode = true;
        else break;
    }
    if (i != argc - 1) {
        std::fprintf(stderr, "usage: simdjson_walk [--lines] [--payload] FILE\n");
        return 2;
    }
    const char *path = argv[i];
    try {
        padded_string json = padded_string::load(path);
        ondemand::parser parser;
        Tally t;
        if (!lines) {
            ondemand::document doc = parser.iterate(json);
            walkDocument(doc, t);
        } else {
            // Each line is parsed where it lies: the bytes after it (the next lines, then the
            // padded_string's padding) are the padding simdjson needs to read past its end.
            const char *p = json.data();
            const char *end = p + json.size();
            while (p < end) {
                const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
                size_t len = size_t((nl ? nl : end) - p);
                bool blank = true;
                for (size_t i = 0; i < len && blank; i++) blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
                if (!blank) {
                    ondemand::document doc = parser.iterate(p, len, size_t(end - p) + SIMDJSON_PADDING);
                    walkDocument(doc, t);
                }
                p += len + 1;
            }
        }
        std::printf("spans %llu attributes %llu key-length checksum %llu (simdjson %s, %s)\n",
                    (unsigned long long)t.spans, (unsigned long long)t.attributes,
                    (unsigned long long)t.keyLengths, WALK_STR(SIMDJSON_VERSION),
                    std::string(get_active_implementation()->name()).c_str());
        if (payloadMode) std::printf("attribute payload bytes %llu\n", (unsigned long long)t.payload);
    } catch (const simdjson_error &e) {
        std::fprintf(stderr, "simdjson_walk: %s: %s\n", path, e.what());
        return 1;
    }
    return 0;
}
