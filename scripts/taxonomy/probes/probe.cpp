// Triggers each runtime fault in C++ (libstdc++) and prints the exception's type and what(), one
// JSON object per line. Faults the language leaves to signals (a null dereference, division by
// zero, stack overflow) are the signal table's; a missing shared library is reported by glibc's dlerror().
#include <any>
#include <dlfcn.h>
#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

static std::string quoted(const std::string &text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') { out += '\\'; out += c; }
        else if (c == '\n') out += "\\n";
        else if ((unsigned char)c < 0x20) { char escape[8]; std::snprintf(escape, sizeof escape, "\\u%04x", c); out += escape; }
        else out += c;
    }
    return out + "\"";
}

static void probe(const char *fault, const std::function<void()> &body) {
    try {
        body();
    } catch (const std::exception &error) {
        int status = 0;
        char *name = abi::__cxa_demangle(typeid(error).name(), nullptr, nullptr, &status);
        std::printf("{\"fault\": %s, \"type\": %s, \"message\": %s}\n", quoted(fault).c_str(),
                    quoted(status == 0 ? name : typeid(error).name()).c_str(), quoted(error.what()).c_str());
        std::free(name);
    }
}

int main(int argc, char **) {
    const char *zqx_null = argc > 100 ? "zqx" : nullptr;
    std::vector<int> zqx_vector{1, 2};
    std::string zqx_string = "zq";
    std::map<std::string, int> zqx_map;
    std::unordered_map<std::string, int> zqx_hash;
    probe("null_reference", [&] { std::string zqx(zqx_null); });
    probe("index_out_of_range", [&] { (void)zqx_vector.at(argc + 6); });
    probe("index_out_of_range_string", [&] { (void)zqx_string.at(argc + 6); });
    probe("missing_key", [&] { (void)zqx_map.at("zqxkey"); });
    probe("missing_key_hash", [&] { (void)zqx_hash.at("zqxkey"); });
    probe("number_parse", [&] { (void)std::stoi("zqx"); });
    probe("type_cast", [&] { std::any zqx = std::string("zqx"); (void)std::any_cast<int>(zqx); });
    probe("file_not_found", [&] { (void)std::filesystem::file_size("/zqx/missing.conf"); });
    probe("permission_denied", [&] { std::filesystem::create_directory(std::string(std::getenv("ZQX_LOCKED_DIR")) + "/zqx"); });
    // A shared library that is not installed: glibc's loader says what `error while loading
    // shared libraries` and dlopen() both print.
    if (!dlopen("libzqx.so.1", RTLD_NOW))
        std::printf("{\"fault\": \"module_missing\", \"type\": \"dlerror\", \"message\": %s}\n", quoted(dlerror()).c_str());
}
