// Batch layout shared with src/live/batch.ts. Keep the two in step.
//
// A batch is `count` records back to back in host byte order (little-endian on
// every target podtap supports). Each record starts at an 8-byte aligned
// offset, so JS can read the header through aligned typed-array views:
//
//   offset 0   u32  caplen    captured bytes that follow the header
//   offset 4   u32  origlen   length on the wire (>= caplen)
//   offset 8   f64  ts_ms     capture time, ms since the Unix epoch (µs precision)
//   offset 16  u8[caplen]     the packet, starting with the link-layer header
//   then padding (unspecified bytes) up to the next multiple of 8.
//
// So the next record starts at align8(start + 16 + caplen). The batch carries
// no header of its own: count and link type travel beside it in the callback.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace podtap {

constexpr size_t kRecordHeaderBytes = 16;

constexpr size_t Align8(size_t n) { return (n + 7) & ~static_cast<size_t>(7); }

// Largest record a packet cut to `snaplen` can produce.
constexpr size_t MaxRecordBytes(size_t snaplen) { return kRecordHeaderBytes + Align8(snaplen); }

// One batch buffer. Owned by the capture handle; lent to JS while in flight.
struct Batch {
  uint8_t* data = nullptr;
  size_t mapped = 0;      // bytes mapped at `data` (munmap length)
  size_t capacity = 0;
  size_t used = 0;       // bytes written
  uint32_t count = 0;    // records written
  uint32_t maxCaplen = 0; // the handle's snap length
  bool busy = false;      // being filled or lent to JS

  void Reset() { used = 0; count = 0; }

  // Appends one record. The caller guarantees MaxRecordBytes(maxCaplen) of room.
  void Append(uint32_t caplen, uint32_t origlen, double tsMs, const uint8_t* bytes) {
    if (caplen > maxCaplen) caplen = maxCaplen;  // libpcap already clamps; room depends on it
    uint8_t* r = data + used;
    std::memcpy(r, &caplen, 4);
    std::memcpy(r + 4, &origlen, 4);
    std::memcpy(r + 8, &tsMs, 8);
    std::memcpy(r + kRecordHeaderBytes, bytes, caplen);
    used += kRecordHeaderBytes + Align8(caplen);
    count++;
  }
};

}  // namespace podtap
