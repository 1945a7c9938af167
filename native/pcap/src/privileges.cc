#include "privileges.h"

#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace podtap {
namespace {

// Longest wait for the other threads to run a step. A thread that runs its
// handler later still applies the last step (gStep is left set): a busy
// thread is late, never skipped.
constexpr int kBroadcastTimeoutMs = 5000;

enum Step : int { kNone = 0, kPrepare = 1, kFinish = 2 };

struct Plan {
  uint64_t keep = 0;
  bool switchUser = false;
  int lastCap = CAP_LAST_CAP;
};

// Written by the calling thread before a broadcast; read by the handlers.
Plan gPlan;
std::atomic<int> gStep{kNone};
std::atomic<int> gPending{0};
std::atomic<int> gFailed{0};
std::atomic<bool> gBoundingKept{false};
bool gHandlerInstalled = false;

int BroadcastSignal() { return SIGRTMIN + 3; }

struct Caps { uint64_t eff = 0, prm = 0, inh = 0; };

bool GetCaps(Caps* c) {
  __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2] = {};
  if (syscall(SYS_capget, &h, d) != 0) return false;
  c->eff = d[0].effective | (static_cast<uint64_t>(d[1].effective) << 32);
  c->prm = d[0].permitted | (static_cast<uint64_t>(d[1].permitted) << 32);
  c->inh = d[0].inheritable | (static_cast<uint64_t>(d[1].inheritable) << 32);
  return true;
}

bool SetCaps(const Caps& c) {
  __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};  // pid 0: this thread
  __user_cap_data_struct d[2] = {};
  d[0].effective = static_cast<uint32_t>(c.eff);
  d[1].effective = static_cast<uint32_t>(c.eff >> 32);
  d[0].permitted = static_cast<uint32_t>(c.prm);
  d[1].permitted = static_cast<uint32_t>(c.prm >> 32);
  d[0].inheritable = static_cast<uint32_t>(c.inh);
  d[1].inheritable = static_cast<uint32_t>(c.inh >> 32);
  return syscall(SYS_capset, &h, d) == 0;
}

const uint64_t kSetIds = (1ULL << CAP_SETUID) | (1ULL << CAP_SETGID);

// One step on the calling thread. Async-signal-safe: syscalls and atomics only.
bool RunStep(int step) {
  bool ok = true;
  Caps c;
  if (step == kPrepare) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ok = false;
    for (int cap = 0; cap <= gPlan.lastCap; cap++) {
      if ((gPlan.keep >> cap) & 1) continue;
      if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) gBoundingKept = true;
    }
    if (gPlan.switchUser && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) ok = false;
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);  // EINVAL before Linux 4.3: nothing to clear
    if (!GetCaps(&c)) return false;
    c.prm &= gPlan.keep | (gPlan.switchUser ? kSetIds : 0);
    c.eff = c.prm;
    c.inh = 0;
    if (!SetCaps(c)) ok = false;
  } else if (step == kFinish) {
    // A thread that missed `prepare` (late) gets its no_new_privs here too.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ok = false;
    if (!GetCaps(&c)) return false;
    c.prm &= gPlan.keep;
    c.eff = c.prm;
    c.inh = c.prm;
    if (!SetCaps(c)) ok = false;
    for (int cap = 0; cap <= gPlan.lastCap; cap++) {
      if (((c.prm >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) ok = false;
    }
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) ok = false;
  }
  return ok;
}

void OnSignal(int) {
  const int saved = errno;
  const int step = gStep.load();  // the last step asked for, also for a late thread
  if (step != kNone) {
    if (!RunStep(step)) gFailed++;
    gPending--;
  }
  errno = saved;
}

// Is `sig` blocked in thread `tid`? (SigBlk in its status: bit sig-1.)
bool Blocked(pid_t tid, int sig) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/status", static_cast<int>(tid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return false;
  char line[256];
  bool blocked = false;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "SigBlk:", 7) == 0) {
      uint64_t mask = std::strtoull(line + 7, nullptr, 16);
      blocked = (mask >> (sig - 1)) & 1;
      break;
    }
  }
  std::fclose(f);
  return blocked;
}

std::vector<pid_t> Threads() {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
  }
  closedir(d);
  return out;
}

int LastCap() {
  int last = CAP_LAST_CAP;
  if (FILE* f = std::fopen("/proc/sys/kernel/cap_last_cap", "re")) {
    if (std::fscanf(f, "%d", &last) != 1) last = CAP_LAST_CAP;
    std::fclose(f);
  }
  return last < 63 ? last : 63;
}

struct Tally { int threads = 0, reached = 0, unreachable = 0; };

// Run `step` on this thread, then on every other thread through the signal.
Tally Broadcast(int step) {
  Tally t;
  if (!RunStep(step)) gFailed++;
  const int sig = BroadcastSignal();
  const pid_t self = static_cast<pid_t>(syscall(SYS_gettid));
  const pid_t pid = getpid();
  gPending = 0;
  gStep = step;
  int sent = 0;
  for (pid_t tid : Threads()) {
    t.threads++;
    if (tid == self) { t.reached++; continue; }
    if (Blocked(tid, sig)) { t.unreachable++; continue; }  // it would never run the handler
    gPending++;
    if (syscall(SYS_tgkill, pid, tid, sig) != 0) { gPending--; t.threads--; continue; }  // ended meanwhile
    sent++;
  }
  struct timespec ms = {0, 1000000};
  for (int i = 0; i < kBroadcastTimeoutMs && gPending.load() > 0; i++) nanosleep(&ms, nullptr);
  const int late = gPending.load();
  t.reached += sent - late;
  t.unreachable += late;
  return t;
}

void ThrowPriv(Napi::Env env, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, "EPRIV"));
  e.ThrowAsJavaScriptException();
}

}  // namespace

Napi::Value DropPrivileges(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject() || !info[0].As<Napi::Object>().Get("keep").IsArray()) {
    ThrowPriv(env, "dropPrivileges({ keep: number[], uid?, gid? })");
    return env.Undefined();
  }
  Napi::Object o = info[0].As<Napi::Object>();
  Plan plan;
  plan.lastCap = LastCap();
  Napi::Array keep = o.Get("keep").As<Napi::Array>();
  for (uint32_t i = 0; i < keep.Length(); i++) {
    Napi::Value v = keep.Get(i);
    int cap = v.IsNumber() ? v.As<Napi::Number>().Int32Value() : -1;
    if (cap < 0 || cap > plan.lastCap) { ThrowPriv(env, "dropPrivileges: keep holds an unknown capability number"); return env.Undefined(); }
    plan.keep |= 1ULL << cap;
  }
  const bool hasUid = o.Get("uid").IsNumber(), hasGid = o.Get("gid").IsNumber();
  if (hasUid != hasGid) { ThrowPriv(env, "dropPrivileges: give uid and gid together"); return env.Undefined(); }
  const uid_t uid = hasUid ? static_cast<uid_t>(o.Get("uid").As<Napi::Number>().Uint32Value()) : 0;
  const gid_t gid = hasGid ? static_cast<gid_t>(o.Get("gid").As<Napi::Number>().Uint32Value()) : 0;
  plan.switchUser = hasUid;

  if (!gHandlerInstalled) {
    // Installed for good: a late signal must never meet the default action (termination).
    struct sigaction sa = {};
    sa.sa_handler = OnSignal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(BroadcastSignal(), &sa, nullptr) != 0) { ThrowPriv(env, std::string("sigaction: ") + strerror(errno)); return env.Undefined(); }
    gHandlerInstalled = true;
  }
  gPlan = plan;
  gFailed = 0;
  gBoundingKept = false;
  Tally t = Broadcast(kPrepare);
  if (plan.switchUser) {
    // glibc runs these in every thread; each still holds CAP_SETUID/CAP_SETGID from step 1.
    if (setgroups(1, &gid) != 0) { ThrowPriv(env, std::string("setgroups: ") + strerror(errno)); return env.Undefined(); }
    if (setresgid(gid, gid, gid) != 0) { ThrowPriv(env, std::string("setresgid: ") + strerror(errno)); return env.Undefined(); }
    if (setresuid(uid, uid, uid) != 0) { ThrowPriv(env, std::string("setresuid: ") + strerror(errno)); return env.Undefined(); }
    Tally f = Broadcast(kFinish);
    if (f.unreachable > t.unreachable) t.unreachable = f.unreachable;
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("threads", t.threads);
  r.Set("reached", t.reached);
  r.Set("unreachable", t.unreachable);
  r.Set("failed", gFailed.load());
  r.Set("boundingKept", gBoundingKept.load());
  return r;
}

}  // namespace podtap
