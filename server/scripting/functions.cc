// The function registry (see functions.h for how libraries load and where they live).
#include "server/scripting/functions.h"

#include <chrono>
#include <cstring>
#include <utility>

#include "protocol/split_args.h"
#include "storage/alloc_size.h"

namespace baozi {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

constexpr char kBadName[] =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

// Redis functionsVerifyName: [a-zA-Z0-9_]+ (used for library and function names alike).
bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// sdsZmallocSize of an sds holding `len` bytes (header by length, the string, a NUL).
size_t SdsSize(size_t len) {
  const size_t header = len < 32             ? 1
                        : len < 256          ? 3
                        : len < 65536        ? 5
                        : len < (1ull << 32) ? 9
                                             : 17;
  return AllocSize(header + len + 1);
}

// Redis functionMallocSize: the functionInfo, its name and description, the engine's handle.
size_t FunctionMemory(const FunctionInfo& f) {
  return AllocSize(40) + SdsSize(f.name.size()) +
         (f.description ? SdsSize(f.description->size()) : 0) + AllocSize(sizeof(int));
}

// Redis libraryMallocSize: the functionLibInfo, its name and code.
size_t LibraryMemory(const FunctionLibrary& lib) {
  return AllocSize(32) + SdsSize(lib.name.size()) + SdsSize(lib.code.size());
}

// A table's metatable __index, when it is a table: the real table behind a read-only proxy.
void PushTableBehind(lua_State* L, int idx) {
  idx = lua_gettop(L) + idx + 1;
  if (lua_getmetatable(L, idx) == 0) {
    lua_pushvalue(L, idx);
    return;
  }
  lua_getfield(L, -1, "__index");
  lua_remove(L, -2);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
  }
}

// __index at the end of a lookup in the load-time environment.
// The registry whose library is loading, for the count hook (lua_Hook carries no user data).
thread_local FunctionRegistry* hooked_registry = nullptr;

struct LibraryMetadata {
  std::string engine;
  std::string name;
  std::string_view code;  // from the shebang's newline on, so line numbers stay right
};

// Redis functionExtractLibMetaData.
std::expected<LibraryMetadata, std::string> ExtractMetadata(std::string_view payload) {
  if (!payload.starts_with("#!")) return std::unexpected("Missing library metadata");
  // strchr: the shebang ends at the first newline before any NUL.
  size_t eol = std::string_view::npos;
  for (size_t i = 0; i < payload.size() && payload[i] != '\0'; ++i) {
    if (payload[i] == '\n') {
      eol = i;
      break;
    }
  }
  if (eol == std::string_view::npos) return std::unexpected("Invalid library metadata");
  auto parts = protocol::SplitArgs(payload.substr(0, eol));
  if (!parts || parts->empty()) return std::unexpected("Invalid library metadata");
  LibraryMetadata md;
  md.engine = (*parts)[0].substr(std::min<size_t>(2, (*parts)[0].size()));
  bool have_name = false;
  for (size_t i = 1; i < parts->size(); ++i) {
    const std::string& part = (*parts)[i];
    if (part.size() >= 5 && EqualsNoCase(std::string_view(part).substr(0, 5), "name=")) {
      if (have_name) {
        return std::unexpected("Invalid metadata value, name argument was given multiple times");
      }
      md.name = part.substr(5);
      have_name = true;
      continue;
    }
    return std::unexpected("Invalid metadata value given: " + part);
  }
  if (!have_name) return std::unexpected("Library name was not given");
  md.code = payload.substr(eol);
  return md;
}

bool GetString(lua_State* L, int idx, std::string* out) {
  if (!lua_isstring(L, idx)) return false;
  size_t len;
  const char* s = lua_tolstring(L, idx, &len);
  out->assign(s, len);
  return true;
}

// Redis luaRegisterFunctionReadFlags: the flags table on top of the stack, read up to its
// first nil; false on a value that is not a known flag name (case-insensitive).
bool ReadFlags(lua_State* L, uint32_t* flags) {
  uint32_t f = 0;
  for (int j = 1;; ++j) {
    lua_pushnumber(L, j);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    // strcasecmp: the name ends at a NUL.
    std::string_view name(s, strnlen(s, len));
    bool found = false;
    for (const ScriptFlagName& fl : kFunctionFlagNames) {
      if (EqualsNoCase(fl.name, name)) {
        f |= fl.flag;
        found = true;
        break;
      }
    }
    lua_pop(L, 1);
    if (!found) return false;
  }
  *flags = f;
  return true;
}

}  // namespace

// FunctionLibraries ---------------------------------------------------------------------------

size_t FunctionLibraries::CaseHash::operator()(std::string_view s) const {
  size_t h = 1469598103934665603ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(Lower(c))) * 1099511628211ull;
  return h;
}

bool FunctionLibraries::CaseEq::operator()(std::string_view a, std::string_view b) const {
  return EqualsNoCase(a, b);
}

FunctionLibraries::~FunctionLibraries() { Clear(); }

FunctionLibrary* FunctionLibraries::FindLibrary(std::string_view name) const {
  auto it = libraries_.find(name);
  return it == libraries_.end() ? nullptr : it->second.get();
}

FunctionInfo* FunctionLibraries::FindFunction(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

void FunctionLibraries::Link(std::unique_ptr<FunctionLibrary> lib) {
  for (auto& f : lib->functions) {
    // A name differing only in case from another of the same library stays out of the index,
    // as Redis's dictAdd leaves it out.
    functions_.emplace(f->name, f.get());
    memory_ += FunctionMemory(*f);
  }
  registered_ += lib->functions.size();
  memory_ += LibraryMemory(*lib);
  std::string name = lib->name;
  libraries_.emplace(std::move(name), std::move(lib));
}

std::unique_ptr<FunctionLibrary> FunctionLibraries::Unlink(std::string_view name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return nullptr;
  std::unique_ptr<FunctionLibrary> lib = std::move(it->second);
  libraries_.erase(it);
  for (auto& f : lib->functions) {
    // Only the index entry that is this function (Redis asserts here and would crash on the
    // case-twin above).
    auto fit = functions_.find(f->name);
    if (fit != functions_.end() && fit->second == f.get()) functions_.erase(fit);
    memory_ -= FunctionMemory(*f);
  }
  registered_ -= lib->functions.size();
  memory_ -= LibraryMemory(*lib);
  return lib;
}

std::vector<std::unique_ptr<FunctionLibrary>> FunctionLibraries::UnlinkAll() {
  std::vector<std::unique_ptr<FunctionLibrary>> out;
  out.reserve(libraries_.size());
  for (auto& [name, lib] : libraries_) out.push_back(std::move(lib));
  libraries_.clear();
  functions_.clear();
  registered_ = 0;
  memory_ = 0;
  return out;
}

void FunctionLibraries::Clear() {
  for (auto& lib : UnlinkAll()) Release(L_, *lib);
}

void FunctionLibraries::Release(lua_State* L, FunctionLibrary& lib) {
  for (auto& f : lib.functions) {
    if (f->ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, f->ref);
    f->ref = LUA_NOREF;
  }
}

// FunctionRegistry ----------------------------------------------------------------------------

FunctionRegistry::FunctionRegistry(ScriptEngine& engine)
    : engine_(engine),
      vm_(std::make_unique<LuaVm>(engine, /*functions=*/true)),
      current_(std::make_unique<FunctionLibraries>(vm_->state())) {
  SetUpLoadEnvironment();
  engine_.function_flags = [this](std::string_view name) -> std::optional<uint32_t> {
    const FunctionInfo* f = current_->FindFunction(name);
    if (f == nullptr) return std::nullopt;
    return f->flags;
  };
}

FunctionRegistry::~FunctionRegistry() {
  engine_.function_flags = nullptr;
  if (hooked_registry == this) hooked_registry = nullptr;
  current_.reset();  // its callbacks live in vm_
}

std::unique_ptr<FunctionLibraries> FunctionRegistry::NewLibraries() const {
  return std::make_unique<FunctionLibraries>(vm_->state());
}

void FunctionRegistry::SetUpLoadEnvironment() {
  lua_State* L = vm_->state();
  vm_->RestoreGlobals();
  // The thread's globals are an empty read-only proxy; its metatable's __index is what every
  // global lookup reads through to. Keep it and the real globals, to switch between them.
  lua_getmetatable(L, LUA_GLOBALSINDEX);
  lua_getfield(L, -1, "__index");
  real_globals_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  globals_meta_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);

  // The run-time `redis` table, whose entries the load-time one shares.
  lua_rawgeti(L, LUA_REGISTRYINDEX, real_globals_ref_);
  lua_pushliteral(L, "redis");
  lua_rawget(L, -2);
  PushTableBehind(L, -1);
  const int redis_real = lua_gettop(L);

  // The load-time `redis`: register_function and what Redis's library API shares with scripts.
  lua_newtable(L);
  lua_pushlightuserdata(L, this);
  lua_pushcclosure(L, RegisterFunction, 1);
  lua_setfield(L, -2, "register_function");
  for (const char* name : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                           "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, redis_real, name);
    lua_setfield(L, -2, name);
  }
  LuaVm::SetNonexistentGlobalError(L);
  const int lib_redis = lua_gettop(L);
  // ... seen through a read-only proxy.
  LuaVm::PushReadonlyView(L, lib_redis);
  const int lib_redis_proxy = lua_gettop(L);

  // The load-time globals: `redis` and nothing else. Writes never reach it: the globals proxy
  // refuses them first.
  lua_newtable(L);
  lua_pushvalue(L, lib_redis_proxy);
  lua_setfield(L, -2, "redis");
  LuaVm::SetNonexistentGlobalError(L);
  load_api_ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
}

void FunctionRegistry::UseLoadEnvironment(bool load) {
  lua_State* L = vm_->state();
  lua_rawgeti(L, LUA_REGISTRYINDEX, globals_meta_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, load ? load_api_ref_ : real_globals_ref_);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

void FunctionRegistry::LoadHook(lua_State* L, lua_Debug*) {
  FunctionRegistry* self = hooked_registry;
  if (self == nullptr || self->load_timeout_ms_ <= 0) return;
  if ((MonotonicUs() - self->load_start_us_) / 1000 <= self->load_timeout_ms_) return;
  // From now on every line raises again.
  lua_sethook(L, LoadHook, LUA_MASKLINE, 0);
  LuaVm::PushErrorTable(L, "FUNCTION LOAD timeout");
  lua_error(L);
}

// redis.register_function (Redis luaRegisterFunction and its argument readers).
int FunctionRegistry::RegisterFunction(lua_State* L) {
  auto* self = static_cast<FunctionRegistry*>(lua_touserdata(L, lua_upvalueindex(1)));
  auto fail = [&](const char* msg) {
    LuaVm::PushErrorTable(L, msg);
    return lua_error(L);
  };
  if (self->loading_ == nullptr) {
    return fail("redis.register_function can only be called on FUNCTION LOAD command");
  }
  const int argc = lua_gettop(L);
  if (argc < 1 || argc > 2) return fail("wrong number of arguments to redis.register_function");

  std::optional<std::string> name;
  std::optional<std::string> desc;
  uint32_t flags = 0;
  int ref = LUA_NOREF;
  auto fail_unref = [&](const char* msg) {
    if (ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return fail(msg);
  };
  if (argc == 1) {
    if (!lua_istable(L, 1)) {
      return fail(
          "calling redis.register_function with a single argument is only applicable to Lua "
          "table (representing named arguments).");
    }
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      if (!lua_isstring(L, -2)) {
        return fail_unref("named argument key given to redis.register_function is not a string");
      }
      size_t klen;
      const char* k = lua_tolstring(L, -2, &klen);
      const std::string_view key(k, strnlen(k, klen));
      if (EqualsNoCase(key, "function_name")) {
        std::string s;
        if (!GetString(L, -1, &s)) {
          return fail_unref(
              "function_name argument given to redis.register_function must be a string");
        }
        name = std::move(s);
      } else if (EqualsNoCase(key, "description")) {
        std::string s;
        if (!GetString(L, -1, &s)) {
          return fail_unref(
              "description argument given to redis.register_function must be a string");
        }
        desc = std::move(s);
      } else if (EqualsNoCase(key, "callback")) {
        if (!lua_isfunction(L, -1)) {
          return fail_unref(
              "callback argument given to redis.register_function must be a function");
        }
        if (ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, ref);
        ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops the value
        continue;
      } else if (EqualsNoCase(key, "flags")) {
        if (!lua_istable(L, -1)) {
          return fail_unref(
              "flags argument to redis.register_function must be a table representing function "
              "flags");
        }
        if (!ReadFlags(L, &flags)) return fail_unref("unknown flag given");
      } else {
        return fail_unref("unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (!name) return fail_unref("redis.register_function must get a function name argument");
    if (ref == LUA_NOREF) return fail("redis.register_function must get a callback argument");
  } else {
    std::string s;
    if (!GetString(L, 1, &s)) {
      return fail("first argument to redis.register_function must be a string");
    }
    if (!lua_isfunction(L, 2)) {
      return fail("second argument to redis.register_function must be a function");
    }
    name = std::move(s);
    ref = luaL_ref(L, LUA_REGISTRYINDEX);  // pops argument 2
  }

  // Redis functionLibCreateFunction.
  FunctionLibrary& lib = *self->loading_;
  if (!ValidName(*name)) return fail_unref(kBadName);
  for (const auto& f : lib.functions) {
    if (f->name == *name) return fail_unref("Function already exists in the library");
  }
  auto f = std::make_unique<FunctionInfo>();
  f->name = std::move(*name);
  f->description = std::move(desc);
  f->flags = flags;
  f->ref = ref;
  f->library = &lib;
  lib.functions.push_back(std::move(f));
  return 0;
}

std::expected<std::string, std::string> FunctionRegistry::Create(std::string_view code,
                                                                 bool replace,
                                                                 FunctionLibraries& into,
                                                                 int64_t timeout_ms) {
  auto md = ExtractMetadata(code);
  if (!md) return std::unexpected(std::move(md.error()));
  if (!ValidName(md->name)) return std::unexpected(kBadName);
  if (!EqualsNoCase(md->engine, "lua")) {
    return std::unexpected("Engine '" + md->engine + "' not found");
  }
  if (into.FindLibrary(md->name) != nullptr && !replace) {
    return std::unexpected("Library '" + md->name + "' already exists");
  }
  std::unique_ptr<FunctionLibrary> old = into.Unlink(md->name);
  auto lib = std::make_unique<FunctionLibrary>();
  lib->name = md->name;
  lib->code.assign(code);

  auto undo = [&](std::string err) -> std::expected<std::string, std::string> {
    FunctionLibraries::Release(vm_->state(), *lib);
    if (old) into.Link(std::move(old));
    return std::unexpected(std::move(err));
  };

  // Redis luaEngineCreate: compile, then run the top level in the load-time environment.
  lua_State* L = vm_->state();
  vm_->RestoreGlobals();
  UseLoadEnvironment(true);
  if (LuaVm::LoadSource(L, md->code.data(), md->code.size(), "@user_function") != 0) {
    std::string err = std::string("Error compiling function: ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    UseLoadEnvironment(false);
    return undo(std::move(err));
  }
  loading_ = lib.get();
  load_start_us_ = MonotonicUs();
  load_timeout_ms_ = timeout_ms;
  FunctionRegistry* prev_hooked = hooked_registry;
  hooked_registry = this;
  lua_sethook(L, LoadHook, LUA_MASKCOUNT, 100000);
  const int rc = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, nullptr, 0, 0);
  hooked_registry = prev_hooked;
  loading_ = nullptr;
  UseLoadEnvironment(false);
  vm_->RestoreGlobals();
  if (rc != 0) {
    LuaVm::ErrorInfo info = LuaVm::ExtractErrorInfo(L);
    lua_pop(L, 1);
    // A table without `err` prints as Redis's "%s" of NULL does.
    return undo("Error registering functions: " +
                (info.msg.empty() && !info.has_msg ? std::string("(null)") : info.msg));
  }
  if (lib->functions.empty()) return undo("No functions registered");
  for (const auto& f : lib->functions) {
    if (into.FindFunction(f->name) != nullptr) {
      return undo("Function " + f->name + " already exists");
    }
  }
  std::string name = lib->name;
  into.Link(std::move(lib));
  if (old) FunctionLibraries::Release(L, *old);
  return name;
}

std::expected<void, std::string> FunctionRegistry::Join(FunctionLibraries& src,
                                                        LibraryPolicy policy) {
  FunctionLibraries& dst = *current_;
  if (policy == LibraryPolicy::kFlush) {
    dst.Clear();
    for (auto& lib : src.UnlinkAll()) dst.Link(std::move(lib));
    return {};
  }
  // Redis libraryJoin: existing libraries of the same name are refused or set aside, then no
  // function may collide; only then does anything move.
  std::vector<std::unique_ptr<FunctionLibrary>> replaced;
  auto restore = [&](std::string err) -> std::expected<void, std::string> {
    for (auto& lib : replaced) dst.Link(std::move(lib));
    return std::unexpected(std::move(err));
  };
  for (const auto& [name, lib] : src.libraries()) {
    if (dst.FindLibrary(name) == nullptr) continue;
    if (policy != LibraryPolicy::kReplace) return restore("Library " + name + " already exists");
    replaced.push_back(dst.Unlink(name));
  }
  for (const auto& [name, lib] : src.libraries()) {
    for (const auto& f : lib->functions) {
      if (dst.FindFunction(f->name) != nullptr) {
        return restore("Function " + f->name + " already exists");
      }
    }
  }
  for (auto& lib : src.UnlinkAll()) dst.Link(std::move(lib));
  for (auto& lib : replaced) FunctionLibraries::Release(vm_->state(), *lib);
  return {};
}

std::expected<void, std::string> FunctionRegistry::LoadAll(std::span<const std::string> codes,
                                                           LibraryPolicy policy) {
  auto fresh = NewLibraries();
  for (const std::string& code : codes) {
    auto r = Create(code, /*replace=*/false, *fresh, /*timeout_ms=*/0);
    if (!r) return std::unexpected(std::move(r.error()));
  }
  return Join(*fresh, policy);
}

bool FunctionRegistry::Delete(std::string_view library) {
  std::unique_ptr<FunctionLibrary> lib = current_->Unlink(library);
  if (!lib) return false;
  FunctionLibraries::Release(vm_->state(), *lib);
  return true;
}

void FunctionRegistry::Flush() {
  current_->Clear();
  lua_gc(vm_->state(), LUA_GCCOLLECT, 0);
}

std::vector<std::string_view> FunctionRegistry::Codes() const {
  std::vector<std::string_view> out;
  out.reserve(current_->library_count());
  for (const auto& [name, lib] : current_->libraries()) out.push_back(lib->code);
  return out;
}

size_t FunctionRegistry::MemoryOverhead() const {
  // Redis functionsMemoryEngine: the engines dictionary (one engine), the function dictionary,
  // the set itself, the libraries' and functions' allocations, and the engine's own.
  const size_t n = current_->function_count();
  size_t slots = 0;
  if (n > 0) {
    slots = 4;
    while (slots < n) slots *= 2;
  }
  constexpr size_t kEnginesDict = 24 + 4 * 8;
  constexpr size_t kEngine = 32 + 8 + 64 + 8;  // engineInfo, its name, the engine, its ctx
  return kEnginesDict + n * 24 + slots * 8 + 32 + current_->memory() + kEngine;
}

}  // namespace baozi
