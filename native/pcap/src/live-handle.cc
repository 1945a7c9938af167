#include "live-handle.h"

#include <cstring>
#include <vector>

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "netns.h"

namespace podtap {

namespace {

// After close(), keep reading this much longer than one block timeout: the
// kernel retires a partly filled block only when its timer fires.
constexpr int kDrainSlackMs = 20;

void ThrowCode(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  e.ThrowAsJavaScriptException();
}

const char* ActivateCode(int rc) {
  switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: return "ENODEV";
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "EPERM";
    case PCAP_ERROR_IFACE_NOT_UP: return "ENOTUP";
    default: return "EPCAP";
  }
}

// Reads an integer option in [lo, hi]; keeps `out` when absent.
bool IntOption(Napi::Object o, const char* key, int lo, int hi, int* out) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return true;
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi)) return false;
  *out = static_cast<int>(d);
  return true;
}

void OnPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
  double tsMs = static_cast<double>(h->ts.tv_sec) * 1000.0 + static_cast<double>(h->ts.tv_usec) / 1000.0;
  reinterpret_cast<Batch*>(user)->Append(h->caplen, h->len, tsMs, bytes);
}

}  // namespace

// ---- JS class ---------------------------------------------------------------

Napi::Function LiveHandle::Init(Napi::Env env) {
  return DefineClass(env, "LiveHandle", {
    InstanceMethod("start", &LiveHandle::Start),
    InstanceMethod("setFilter", &LiveHandle::SetFilter),
    InstanceMethod("setProgram", &LiveHandle::SetProgram),
    InstanceMethod("stats", &LiveHandle::Stats),
    InstanceMethod("close", &LiveHandle::Close),
    InstanceAccessor("linkType", &LiveHandle::LinkType, nullptr),
  });
}

Napi::Value LiveHandle::Open(const Napi::CallbackInfo& info) {
  Napi::FunctionReference* ctor = info.Env().GetInstanceData<Napi::FunctionReference>();
  return ctor->New({info[0], info[1]});
}

// Constructed only through open(iface, options).
LiveHandle::LiveHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LiveHandle>(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsObject()) {
    ThrowCode(env, "EINVAL", "open(iface: string, options: object)");
    return;
  }
  std::string iface = info[0].As<Napi::String>();
  Napi::Object o = info[1].As<Napi::Object>();
  int batchBytes = static_cast<int>(opts_.batchBytes);
  if (!IntOption(o, "snaplen", 64, 262144, &opts_.snaplen) ||
      !IntOption(o, "bufferBytes", 64 << 10, 1 << 30, &opts_.bufferBytes) ||
      !IntOption(o, "timeoutMs", 1, 10000, &opts_.timeoutMs) ||
      !IntOption(o, "batchBytes", 64 << 10, static_cast<int>(kMaxBatchBytes), &batchBytes) ||
      !IntOption(o, "batches", 2, kMaxBatchesInFlight, &opts_.batches)) {
    ThrowCode(env, "EINVAL", "open(): an option is out of range");
    return;
  }
  opts_.batchBytes = static_cast<size_t>(batchBytes);
  opts_.promisc = o.Get("promisc").ToBoolean();
  opts_.copyBatches = o.Get("copyBatches").ToBoolean();
  if (o.Get("netns").IsString()) opts_.netns = o.Get("netns").As<Napi::String>();

  char errbuf[PCAP_ERRBUF_SIZE] = "";
  {
    NetnsScope ns(opts_.netns);  // the packet socket is created inside the pod's namespace
    if (!ns.ok()) { ThrowCode(env, "ENETNS", ns.error()); return; }
    pcap_ = pcap_create(iface.c_str(), errbuf);
    if (pcap_ == nullptr) { ThrowCode(env, "EPCAP", errbuf); return; }
    pcap_set_snaplen(pcap_, opts_.snaplen);
    pcap_set_buffer_size(pcap_, opts_.bufferBytes);
    pcap_set_immediate_mode(pcap_, 0);  // TPACKET_V3: the kernel fills whole blocks
    pcap_set_timeout(pcap_, opts_.timeoutMs);
    pcap_set_promisc(pcap_, opts_.promisc ? 1 : 0);
    int rc = pcap_activate(pcap_);
    if (rc < 0) {
      std::string msg = pcap_geterr(pcap_);
      if (msg.empty()) msg = pcap_statustostr(rc);
      pcap_close(pcap_);
      pcap_ = nullptr;
      ThrowCode(env, ActivateCode(rc), msg);
      return;
    }
  }
  linkType_ = pcap_datalink(pcap_);
  if (pcap_setnonblock(pcap_, 1, errbuf) < 0) { CloseNow(); ThrowCode(env, "EPCAP", errbuf); return; }
  const int snaplen = pcap_snapshot(pcap_);
  maxRecord_ = MaxRecordBytes(static_cast<size_t>(snaplen));
  const size_t cap = std::max(opts_.batchBytes, 2 * maxRecord_);
  batches_.resize(static_cast<size_t>(opts_.batches));
  // Batches are mapped, not malloc'd: a page counts in RSS only once a packet
  // was written to it, and munmap gives it back when the capture closes.
  // From malloc, glibc's dynamic mmap threshold would serve the second
  // handle's 4 MiB batches from a heap arena after the first was freed, and
  // every page ever touched there would stay resident across pod churn.
  const size_t allocBytes = (cap + 4095) & ~static_cast<size_t>(4095);
  for (Batch& b : batches_) {
    void* m = mmap(nullptr, allocBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) { CloseNow(); ThrowCode(env, "EPCAP", "out of memory for batch buffers"); return; }
    b.data = static_cast<uint8_t*>(m);
    b.mapped = allocBytes;
    b.capacity = cap;
    b.maxCaplen = static_cast<uint32_t>(snaplen);
  }
  wakeFd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wakeFd_ < 0) { CloseNow(); ThrowCode(env, "EPCAP", "eventfd failed"); return; }
}

LiveHandle::~LiveHandle() {
  // Normally close() or the thread's end already did this. At environment
  // teardown the TSFN finalizer runs first (it joins the thread); this is the
  // last resort for a handle that was never started or closed.
  stop_ = true;
  aborted_ = true;
  Wake();
  if (thread_.joinable()) thread_.join();
  CloseNow();
}

Napi::Value LiveHandle::LinkType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), linkType_);
}

// Attach a compiled program; the caller holds pcapMu_. Returns an error message or "".
std::string LiveHandle::AttachLocked(struct bpf_program* prog, unsigned* kernelLen) {
  if (pcap_setfilter(pcap_, prog) < 0) return pcap_geterr(pcap_);
  // libpcap falls back to filtering in user space (every packet copied
  // out of the kernel first) when the kernel refuses a program, e.g. one
  // over 4096 instructions. SO_GET_FILTER with a NULL buffer returns the
  // attached classic BPF program's instruction count, 0 when none is.
  socklen_t len = 0;
  if (getsockopt(pcap_fileno(pcap_), SOL_SOCKET, SO_GET_FILTER, nullptr, &len) != 0) len = 0;
  *kernelLen = static_cast<unsigned>(len);
  return "";
}

// Compile and attach `expr` for setFilter.
std::string LiveHandle::ApplyFilter(const std::string& expr, int* instructions, unsigned* kernelLen) {
  std::lock_guard<std::mutex> lock(pcapMu_);
  if (pcap_ == nullptr || closed_ || stop_) return "the capture is closed";
  struct bpf_program prog;
  if (pcap_compile(pcap_, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) < 0) return pcap_geterr(pcap_);
  *instructions = static_cast<int>(prog.bf_len);
  std::string err = AttachLocked(&prog, kernelLen);
  pcap_freecode(&prog);
  return err;
}

static Napi::Object FilterResult(Napi::Env env, int instructions, unsigned kernelLen) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("instructions", instructions);
  r.Set("attachedInKernel", kernelLen > 0);
  r.Set("kernelInstructions", static_cast<double>(kernelLen));
  return r;
}

// setFilter(expr) → {instructions, attachedInKernel, kernelInstructions}
Napi::Value LiveHandle::SetFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (pcap_ == nullptr || closed_ || stop_) { ThrowCode(env, "ECLOSED", "the capture is closed"); return env.Undefined(); }
  if (!info[0].IsString()) { ThrowCode(env, "EINVAL", "setFilter(expr: string)"); return env.Undefined(); }
  std::string expr = info[0].As<Napi::String>();
  int instructions = 0;
  unsigned kernelLen = 0;
  std::string err = ApplyFilter(expr, &instructions, &kernelLen);
  if (!err.empty()) { ThrowCode(env, "EFILTER", err); return env.Undefined(); }
  return FilterResult(env, instructions, kernelLen);
}

Napi::Value LiveHandle::SetProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (pcap_ == nullptr || closed_ || stop_) { ThrowCode(env, "ECLOSED", "the capture is closed"); return env.Undefined(); }
  if (!info[0].IsBuffer()) { ThrowCode(env, "EINVAL", "setProgram(program: Buffer)"); return env.Undefined(); }
  Napi::Buffer<uint8_t> buf = info[0].As<Napi::Buffer<uint8_t>>();
  if (buf.Length() == 0 || buf.Length() % sizeof(struct bpf_insn) != 0) { ThrowCode(env, "EINVAL", "setProgram: not a BPF program"); return env.Undefined(); }
  // Copy: the kernel and libpcap keep their own copies, but the instructions must be aligned.
  std::vector<struct bpf_insn> insns(buf.Length() / sizeof(struct bpf_insn));
  std::memcpy(insns.data(), buf.Data(), buf.Length());
  struct bpf_program prog;
  prog.bf_len = static_cast<u_int>(insns.size());
  prog.bf_insns = insns.data();
  std::string err;
  unsigned kernelLen = 0;
  {
    std::lock_guard<std::mutex> lock(pcapMu_);
    err = AttachLocked(&prog, &kernelLen);
  }
  if (!err.empty()) { ThrowCode(env, "EFILTER", err); return env.Undefined(); }
  return FilterResult(env, static_cast<int>(prog.bf_len), kernelLen);
}

// stats() → {received, droppedByKernel, droppedByInterface, batchesWaited, batchesDelivered}
Napi::Value LiveHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct pcap_stat s = {};
  if (haveFinalStats_) {
    s = finalStats_;
  } else if (pcap_ != nullptr) {
    std::lock_guard<std::mutex> lock(pcapMu_);
    pcap_stats(pcap_, &s);
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("received", static_cast<double>(s.ps_recv));
  r.Set("droppedByKernel", static_cast<double>(s.ps_drop));
  r.Set("droppedByInterface", static_cast<double>(s.ps_ifdrop));
  r.Set("batchesWaited", static_cast<double>(batchesWaited_.load()));
  r.Set("batchesDelivered", static_cast<double>(batchesDelivered_.load()));
  return r;
}

// start(cb): cb(batch: ArrayBuffer | null, count, linkType, error?) on the JS thread.
Napi::Value LiveHandle::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (started_ || closed_ || pcap_ == nullptr) { ThrowCode(env, "ECLOSED", "start() once, before close()"); return env.Undefined(); }
  if (!info[0].IsFunction()) { ThrowCode(env, "EINVAL", "start(callback)"); return env.Undefined(); }
  // Queue size 0 (unbounded) is safe: at most `batches` calls are ever queued.
  tsfn_ = BatchTsfn::New(env, info[0].As<Napi::Function>(), "podtap-pcap", 0, 1, this,
                         [](Napi::Env env, void*, LiveHandle* self) { self->OnThreadDone(env); },
                         static_cast<void*>(nullptr));
  started_ = true;
  Ref();  // the reader thread uses this object: keep it from GC until it ends
  thread_ = std::thread([this] { Run(); });
  return env.Undefined();
}

// close() → Promise<void>, resolved once every batch reached JS and the handle is closed.
Napi::Value LiveHandle::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* d = new Napi::Promise::Deferred(env);
  Napi::Promise p = d->Promise();
  if (closed_ || !started_) {
    CloseNow();
    d->Resolve(env.Undefined());
    delete d;
    return p;
  }
  if (closeDeferred_ != nullptr) { delete d; ThrowCode(env, "ECLOSED", "close() already called"); return env.Undefined(); }
  closeDeferred_ = d;
  stop_ = true;
  Wake();
  return p;
}

// ---- reader thread ----------------------------------------------------------

void LiveHandle::Wake() {
  if (wakeFd_ >= 0) {
    uint64_t one = 1;
    (void)!write(wakeFd_, &one, sizeof one);
  }
  std::lock_guard<std::mutex> lock(batchMu_);
  batchFree_.notify_all();
}

Batch* LiveHandle::AcquireBatch() {
  std::unique_lock<std::mutex> lock(batchMu_);
  bool counted = false;
  for (;;) {
    if (aborted_) return nullptr;
    for (Batch& b : batches_) {
      if (!b.busy) { b.busy = true; b.Reset(); return &b; }
    }
    // Every batch is in JS: the event loop is behind. The kernel ring keeps
    // the packets meanwhile; count the wait so it is visible.
    if (!counted) { batchesWaited_++; counted = true; }
    batchFree_.wait(lock);
  }
}

void LiveHandle::ReleaseBatch(Batch* b) {
  std::lock_guard<std::mutex> lock(batchMu_);
  b->busy = false;
  batchFree_.notify_all();
}

void LiveHandle::Deliver(Batch* b) {
  if (tsfn_.NonBlockingCall(b) != napi_ok) {  // environment going away
    aborted_ = true;
    ReleaseBatch(b);
    return;
  }
  batchesDelivered_++;
}

void LiveHandle::Run() {
  using Clock = std::chrono::steady_clock;
  const int fd = pcap_get_selectable_fd(pcap_);
  Batch* cur = nullptr;
  bool draining = false;
  Clock::time_point deadline;
  for (;;) {
    if (aborted_) break;
    if (stop_ && !draining) {
      draining = true;
      deadline = Clock::now() + std::chrono::milliseconds(opts_.timeoutMs + kDrainSlackMs);
    }
    if (cur == nullptr && (cur = AcquireBatch()) == nullptr) break;
    // Ask for no more packets than surely fit: pcap_dispatch cannot be
    // stopped half-way without losing the packet in hand.
    const int room = static_cast<int>((cur->capacity - cur->used) / maxRecord_);
    if (room == 0) { Deliver(cur); cur = nullptr; continue; }
    int n;
    {
      std::lock_guard<std::mutex> lock(pcapMu_);
      n = pcap_dispatch(pcap_, room, OnPacket, reinterpret_cast<u_char*>(cur));
      if (n < 0) threadError_ = pcap_geterr(pcap_);
    }
    if (n < 0) break;
    if (n == room) continue;  // the ring may hold more right now
    // The ring has nothing more ready: hand over what we have, then sleep
    // until the kernel retires a block (at most one block timeout).
    if (cur->count > 0) { Deliver(cur); cur = nullptr; }
    int waitMs = opts_.timeoutMs;
    if (draining) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      waitMs = static_cast<int>(left);
    }
    struct pollfd fds[2] = {{fd, POLLIN, 0}, {wakeFd_, POLLIN, 0}};
    if (poll(fds, 2, waitMs) > 0 && (fds[1].revents & POLLIN)) {
      uint64_t v;
      (void)!read(wakeFd_, &v, sizeof v);
    }
  }
  if (cur != nullptr) {
    if (cur->count > 0 && !aborted_) Deliver(cur);
    else ReleaseBatch(cur);
  }
  {
    std::lock_guard<std::mutex> lock(pcapMu_);
    pcap_stats(pcap_, &finalStats_);
  }
  if (!threadError_.empty() && !aborted_) tsfn_.NonBlockingCall(nullptr);
  tsfn_.Release();  // the finalizer (OnThreadDone) runs after the queued calls
}

// ---- main thread: delivery and the end ---------------------------------------

void CallJs(Napi::Env env, Napi::Function cb, LiveHandle* self, Batch* b) {
  if (env == nullptr || cb.IsEmpty()) {  // environment teardown: drop the batch
    if (b != nullptr) self->ReleaseBatch(b);
    return;
  }
  if (b == nullptr) {
    cb.Call({env.Null(), Napi::Number::New(env, -1), Napi::Number::New(env, self->linkType_),
             Napi::String::New(env, self->threadError_)});
    return;
  }
  // Zero copy by default: JS gets an external ArrayBuffer over the batch and
  // we detach it when the callback returns, so a view kept by mistake reads
  // as empty instead of seeing the buffer refilled or freed (GC-safe without
  // a finalizer: the handle owns the memory). copyBatches gives JS its own
  // copy instead. Measured (src/live/bench-live.ts, 64-byte UDP, ~1300
  // packets per batch): 0.20-0.22 µs CPU/packet zero-copy vs 0.29 copied,
  // so the copy buys nothing the detach does not already give.
  Napi::ArrayBuffer ab;
  if (self->opts_.copyBatches) {
    ab = Napi::ArrayBuffer::New(env, b->used);
    std::memcpy(ab.Data(), b->data, b->used);
  } else {
    ab = Napi::ArrayBuffer::New(env, b->data, b->used);
  }
  cb.Call({ab, Napi::Number::New(env, b->count), Napi::Number::New(env, self->linkType_)});
  Napi::Error pending;
  if (env.IsExceptionPending()) pending = env.GetAndClearPendingException();
  if (!self->opts_.copyBatches) ab.Detach();
  self->ReleaseBatch(b);
  if (!pending.IsEmpty()) pending.ThrowAsJavaScriptException();
}

void LiveHandle::OnThreadDone(Napi::Env env) {
  stop_ = true;
  aborted_ = true;  // nothing can be delivered any more
  Wake();
  if (thread_.joinable()) thread_.join();
  haveFinalStats_ = true;
  CloseNow();
  if (closeDeferred_ != nullptr) {
    closeDeferred_->Resolve(env.Undefined());
    delete closeDeferred_;
    closeDeferred_ = nullptr;
  }
  Unref();
}

void LiveHandle::CloseNow() {
  closed_ = true;
  if (pcap_ != nullptr) { pcap_close(pcap_); pcap_ = nullptr; }
  for (Batch& b : batches_) {
    if (b.data != nullptr) munmap(b.data, b.mapped);
    b.data = nullptr;
  }
  batches_.clear();
  if (wakeFd_ >= 0) { close(wakeFd_); wakeFd_ = -1; }
}

}  // namespace podtap
