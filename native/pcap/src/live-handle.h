// A live capture on one interface: a libpcap handle (TPACKET_V3, immediate
// mode off), a native reader thread and a small, fixed set of batch buffers.
//
// Lifecycle:
//  1. open(): pcap_create → options → pcap_activate (inside the target netns
//     when one is given) → optional filter. Nothing is read yet.
//  2. start(cb): starts the reader thread. It fills one batch with
//     pcap_dispatch (non-blocking; poll() waits for the kernel to retire a
//     block), hands it to JS through a threadsafe function when it is full or
//     the ring has nothing more ready, and goes on with the next free batch.
//  3. JS runs cb(batch, count, linkType) on the main thread; the batch is
//     valid only during the call. When cb returns the buffer is free again.
//     With every batch in flight the thread waits (batchesWaited++) and the
//     kernel ring holds the packets meanwhile: a busy event loop loses only
//     what the ring (bufferBytes) cannot hold, and that shows in droppedByKernel.
//  4. close(): the thread keeps reading for one block timeout (so blocks the
//     kernel still owns are retired and delivered), hands over the last
//     partial batch and ends; the promise resolves after every batch reached
//     JS, the thread is joined and the pcap handle closed.
#pragma once
#include <napi.h>
#include <pcap/pcap.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "batch.h"

namespace podtap {

// Limits (named, checked in Open()).
constexpr int kMaxBatchesInFlight = 16;
constexpr size_t kMaxBatchBytes = 64u << 20;

struct OpenOptions {
  int snaplen = 262144;
  int bufferBytes = 32 << 20;   // kernel ring
  int timeoutMs = 50;           // TPACKET_V3 block timeout
  bool promisc = false;
  size_t batchBytes = 4u << 20;  // one batch buffer
  int batches = 2;              // batch buffers (bound on batches in flight)
  bool copyBatches = false;     // hand JS a copy instead of a detachable view
  std::string netns;            // path of a network namespace, or empty
};

class LiveHandle;
void CallJs(Napi::Env env, Napi::Function cb, LiveHandle* self, Batch* batch);
using BatchTsfn = Napi::TypedThreadSafeFunction<LiveHandle, Batch, CallJs>;

class LiveHandle : public Napi::ObjectWrap<LiveHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  // Opens `iface`; on failure throws a JS Error with `code` set
  // (ENODEV, EPERM, ENOTUP, ENETNS, EFILTER, EPCAP).
  static Napi::Value Open(const Napi::CallbackInfo& info);

  explicit LiveHandle(const Napi::CallbackInfo& info);
  ~LiveHandle() override;

 private:
  friend void CallJs(Napi::Env env, Napi::Function cb, LiveHandle* self, Batch* batch);

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value SetFilter(const Napi::CallbackInfo& info);
  // setProgram(program: Buffer) → same as setFilter: attaches a program
  // compiled by compileAsync (no compile on the event loop).
  Napi::Value SetProgram(const Napi::CallbackInfo& info);
  // Compile and attach under pcapMu_; returns an error message or "".
  std::string ApplyFilter(const std::string& expr, int* instructions, unsigned* kernelLen);
  // Attach a compiled program (setFilter and setProgram); caller holds pcapMu_.
  std::string AttachLocked(struct bpf_program* prog, unsigned* kernelLen);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value LinkType(const Napi::CallbackInfo& info);

  // Reader thread.
  void Run();
  Batch* AcquireBatch();
  void Deliver(Batch* b);
  void ReleaseBatch(Batch* b);
  void Wake();
  void OnThreadDone(Napi::Env env);  // TSFN finalizer, main thread
  void CloseNow();                   // join + pcap_close + free; main thread

  pcap_t* pcap_ = nullptr;
  OpenOptions opts_;
  int linkType_ = 0;
  size_t maxRecord_ = 0;

  // pcap_dispatch, pcap_setfilter and pcap_stats never run at the same time.
  std::mutex pcapMu_;

  // Batches: fixed at open, never grown.
  std::vector<Batch> batches_;
  std::mutex batchMu_;
  std::condition_variable batchFree_;

  std::thread thread_;
  BatchTsfn tsfn_;
  int wakeFd_ = -1;                 // eventfd: wakes the reader's poll()
  std::atomic<bool> stop_{false};
  std::atomic<bool> aborted_{false}; // env teardown: stop without delivering
  std::atomic<uint64_t> batchesWaited_{0};
  std::atomic<uint64_t> batchesDelivered_{0};
  std::string threadError_;          // set by the thread before it ends
  bool started_ = false;
  bool closed_ = false;
  Napi::Promise::Deferred* closeDeferred_ = nullptr;
  struct pcap_stat finalStats_ = {};
  bool haveFinalStats_ = false;
};

}  // namespace podtap
