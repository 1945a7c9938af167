// podtap_inflate: a zlib inflate stream that keeps its state between calls,
// for the dissectors that inflate many small messages (WebSocket
// permessage-deflate, MongoDB OP_COMPRESSED). Why native: Node's synchronous
// zlib API builds and frees a whole zlib stream per call (~3 µs before the
// first byte), and permessage-deflate with context takeover then has to
// hand the last 32 KiB back as a dictionary every time; here one stream
// lives per direction and its window is zlib's own.
//
// Exports:
//   new Inflater(windowBits)   -15 raw DEFLATE, 15 zlib, 31 gzip (inflateInit2)
//   inflater.inflate(input, finish, maxOutput, out?) → Buffer | number
//       with `out`: the output goes there and its length comes back, unless
//       it does not fit: then all of it comes back as a new Buffer
//       finish=false: Z_SYNC_FLUSH, everything decodable from `input` is returned;
//                     a stream that ends goes on as a new one (raw: with the old window)
//       finish=true:  the stream must end inside `input` (Z_STREAM_END)
//       throws Error with code 'EINFLATE' (bad data, or input ended too soon
//       when finishing) or 'ETOOLARGE' (output past maxOutput); the stream is
//       unusable after a throw until reset()
//   inflater.reset()           inflateReset: a new stream, same windowBits
//   inflater.close()           frees zlib's state now (the finalizer does it otherwise)
// Uses the zlib Node itself links and exports (include/node/zlib.h).
#include <napi.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace podtap {
namespace {

// Output is produced into this per-thread scratch, then copied once into a
// Buffer of the exact size.
thread_local std::vector<uint8_t> scratch;
constexpr size_t kScratchStart = 16 * 1024;

class Inflater : public Napi::ObjectWrap<Inflater> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Inflater", {
      InstanceMethod<&Inflater::Inflate>("inflate"),
      InstanceMethod<&Inflater::Reset>("reset"),
      InstanceMethod<&Inflater::Close>("close"),
    });
  }

  explicit Inflater(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Inflater>(info) {
    Napi::Env env = info.Env();
    if (!info[0].IsNumber()) {
      Napi::TypeError::New(env, "new Inflater(windowBits: number)").ThrowAsJavaScriptException();
      return;
    }
    int bits = info[0].As<Napi::Number>().Int32Value();
    if (!((bits >= -15 && bits <= -8) || (bits >= 8 && bits <= 15) || (bits >= 24 && bits <= 31))) {
      Napi::RangeError::New(env, "windowBits: -15..-8 (raw), 8..15 (zlib) or 24..31 (gzip)").ThrowAsJavaScriptException();
      return;
    }
    if (inflateInit2(&strm_, bits) != Z_OK) {
      Napi::Error::New(env, "inflateInit2 failed").ThrowAsJavaScriptException();
      return;
    }
    open_ = true;
    raw_ = bits < 0;
  }

  ~Inflater() override { End(); }

 private:
  void End() {
    if (open_) inflateEnd(&strm_);
    open_ = false;
  }

  // A sync-flush stream met a final block (permessage-deflate allows BFINAL
  // in a message): the next message starts a new DEFLATE stream that may
  // still refer back to this one's window (RFC 7692 §7.2.3), so the window
  // is carried over as the new stream's dictionary.
  void Restart() {
    if (!raw_) { inflateReset(&strm_); return; }  // zlib/gzip: a dictionary cannot be carried over
    std::vector<uint8_t> window(32 * 1024);
    uInt n = static_cast<uInt>(window.size());
    const bool kept = inflateGetDictionary(&strm_, window.data(), &n) == Z_OK;
    inflateReset(&strm_);
    if (kept && n > 0) inflateSetDictionary(&strm_, window.data(), n);
  }

  static Napi::Value Fail(Napi::Env env, const char* code, const std::string& message) {
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, code));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // One inflate() loop into [out, out + cap); returns the zlib outcome.
  // `have` counts the bytes written; stops when the output is full.
  enum class Step { kDone, kEnded, kFull, kError };
  Step Run(uint8_t* out, size_t cap, size_t& have, bool finish) {
    for (;;) {
      if (cap - have == 0) return Step::kFull;
      strm_.next_out = out + have;
      strm_.avail_out = static_cast<uInt>(std::min<size_t>(cap - have, UINT32_MAX));
      const uInt inBefore = strm_.avail_in;
      const size_t outBefore = have;
      const int rc = inflate(&strm_, finish ? Z_FINISH : Z_SYNC_FLUSH);
      have = static_cast<size_t>(strm_.next_out - out);
      if (rc == Z_STREAM_END) return Step::kEnded;
      if (rc == Z_OK || rc == Z_BUF_ERROR) {
        if (strm_.avail_out == 0) continue;  // more output may wait: the caller grows the output
        if (strm_.avail_in == 0 || (strm_.avail_in == inBefore && have == outBefore)) return Step::kDone;
        continue;
      }
      return Step::kError;
    }
  }

  Napi::Value Inflate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() || !info[2].IsNumber() || (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsTypedArray())) {
      Napi::TypeError::New(env, "inflate(input: Uint8Array, finish: boolean, maxOutput: number, out?: Uint8Array)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!open_) return Fail(env, "EINFLATE", "inflater is closed");
    Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
    if (ta.TypedArrayType() != napi_uint8_array) {
      Napi::TypeError::New(env, "input must be a Uint8Array").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Uint8Array input = ta.As<Napi::Uint8Array>();
    const bool finish = info[1].ToBoolean().Value();
    const double maxOutput = info[2].As<Napi::Number>().DoubleValue();
    strm_.next_in = input.Data();
    strm_.avail_in = static_cast<uInt>(input.ByteLength());

    // First into the caller's buffer: when everything fits, only a count goes back.
    size_t have = 0;
    Step step = Step::kFull;
    if (info.Length() > 3 && info[3].IsTypedArray()) {
      Napi::TypedArray ot = info[3].As<Napi::TypedArray>();
      if (ot.TypedArrayType() != napi_uint8_array) {
        Napi::TypeError::New(env, "out must be a Uint8Array").ThrowAsJavaScriptException();
        return env.Undefined();
      }
      Napi::Uint8Array out = ot.As<Napi::Uint8Array>();
      step = Run(out.Data(), out.ByteLength(), have, finish);
      if (step != Step::kFull) return Finish(env, step, finish, have, maxOutput, nullptr);
      if (scratch.size() < have * 2) scratch.resize(have * 2);
      std::memcpy(scratch.data(), out.Data(), have);
    }
    // Then (or only) into the growing scratch, handed back as a new Buffer.
    if (scratch.size() < kScratchStart) scratch.resize(kScratchStart);
    for (;;) {
      step = Run(scratch.data(), scratch.size(), have, finish);
      if (step != Step::kFull) break;
      if (static_cast<double>(have) > maxOutput) return Fail(env, "ETOOLARGE", "inflated output is larger than the limit");
      scratch.resize(scratch.size() * 2);
    }
    return Finish(env, step, finish, have, maxOutput, &scratch);
  }

  Napi::Value Finish(Napi::Env env, Step step, bool finish, size_t have, double maxOutput, std::vector<uint8_t>* from) {
    if (step == Step::kError) return Fail(env, "EINFLATE", strm_.msg != nullptr ? strm_.msg : "invalid compressed data");
    if (static_cast<double>(have) > maxOutput) return Fail(env, "ETOOLARGE", "inflated output is larger than the limit");
    const bool ended = step == Step::kEnded;
    if (finish && !ended) return Fail(env, "EINFLATE", "unexpected end of compressed data");
    if (!finish && ended) Restart();
    if (from == nullptr) return Napi::Number::New(env, static_cast<double>(have));
    Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::Copy(env, from->data(), have);
    // Shrink a scratch grown by one huge message, so it is not held forever.
    if (from->size() > 4 * 1024 * 1024) std::vector<uint8_t>().swap(*from);
    return out;
  }

  Napi::Value Reset(const Napi::CallbackInfo& info) {
    if (open_) inflateReset(&strm_);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    End();
    return info.Env().Undefined();
  }

  z_stream strm_{};
  bool open_ = false;
  bool raw_ = false;
};

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  exports.Set("Inflater", Inflater::Init(env));
  exports.Set("zlibVersion", Napi::String::New(env, zlibVersion()));
  return exports;
}

}  // namespace
}  // namespace podtap

static Napi::Object InitInflateAddon(Napi::Env env, Napi::Object exports) { return podtap::InitAddon(env, exports); }
NODE_API_MODULE(podtap_inflate, InitInflateAddon)
