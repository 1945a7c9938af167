// podtap's libpcap addon. Exports:
//   open(iface, options) → LiveHandle   (see live-handle.h for the lifecycle)
//   compile(linkType, snaplen, expr) → {instructions}   (no interface needed)
//   dropPrivileges({keep, uid?, gid?}) → {threads, reached, unreachable, failed, boundingKept}   (privileges.h)
//   libVersion: string, recordHeaderBytes: number (batch layout, see batch.h)
#include <napi.h>
#include <pcap/pcap.h>

#include <string>
#include <vector>

#include "batch.h"
#include "live-handle.h"
#include "privileges.h"

namespace podtap {
namespace {

// compile(linkType, snaplen, expr): what the filter generator needs to know
// before it ever opens an interface (the kernel accepts at most 4096).
Napi::Value Compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString()) {
    Napi::TypeError::New(env, "compile(linkType: number, snaplen: number, expr: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  pcap_t* p = pcap_open_dead(info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value());
  if (p == nullptr) {
    Napi::Error::New(env, "pcap_open_dead failed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string expr = info[2].As<Napi::String>();
  struct bpf_program prog;
  if (pcap_compile(p, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
    Napi::Error e = Napi::Error::New(env, pcap_geterr(p));
    e.Set("code", Napi::String::New(env, "EFILTER"));
    pcap_close(p);
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("instructions", static_cast<double>(prog.bf_len));
  pcap_freecode(&prog);
  pcap_close(p);
  return r;
}

// compileAsync(linkType, snaplen, expr) → Promise<{instructions, program}>:
// libpcap's optimizer runs on the libuv pool (tens of ms for thousands of
// pods); `program` holds the struct bpf_insn array for LiveHandle.setProgram.
class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, int linkType, int snaplen, std::string expr)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), linkType_(linkType), snaplen_(snaplen), expr_(std::move(expr)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    pcap_t* p = pcap_open_dead(linkType_, snaplen_);
    if (p == nullptr) { err_ = "pcap_open_dead failed"; return; }
    struct bpf_program prog;
    if (pcap_compile(p, &prog, expr_.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) {
      err_ = pcap_geterr(p);
    } else {
      const uint8_t* bytes = reinterpret_cast<const uint8_t*>(prog.bf_insns);
      program_.assign(bytes, bytes + prog.bf_len * sizeof(struct bpf_insn));
      instructions_ = prog.bf_len;
      pcap_freecode(&prog);
    }
    pcap_close(p);
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (!err_.empty()) {
      Napi::Error e = Napi::Error::New(env, err_);
      e.Set("code", Napi::String::New(env, "EFILTER"));
      deferred_.Reject(e.Value());
      return;
    }
    Napi::Object r = Napi::Object::New(env);
    r.Set("instructions", static_cast<double>(instructions_));
    r.Set("program", Napi::Buffer<uint8_t>::Copy(env, program_.data(), program_.size()));
    deferred_.Resolve(r);
  }
 private:
  Napi::Promise::Deferred deferred_;
  int linkType_;
  int snaplen_;
  std::string expr_;
  std::string err_;
  std::vector<uint8_t> program_;
  unsigned instructions_ = 0;
};

Napi::Value CompileAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsString()) {
    Napi::TypeError::New(env, "compileAsync(linkType: number, snaplen: number, expr: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* w = new CompileWorker(env, info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), info[2].As<Napi::String>());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace
}  // namespace podtap

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  using namespace podtap;
  Napi::Function ctor = LiveHandle::Init(env);
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(ctor)));
  exports.Set("open", Napi::Function::New(env, LiveHandle::Open, "open"));
  exports.Set("compile", Napi::Function::New(env, Compile, "compile"));
  exports.Set("compileAsync", Napi::Function::New(env, CompileAsync, "compileAsync"));
  exports.Set("dropPrivileges", Napi::Function::New(env, DropPrivileges, "dropPrivileges"));
  exports.Set("libVersion", Napi::String::New(env, pcap_lib_version()));
  exports.Set("recordHeaderBytes", Napi::Number::New(env, static_cast<double>(kRecordHeaderBytes)));
  return exports;
}

NODE_API_MODULE(podtap_pcap, InitAddon)
