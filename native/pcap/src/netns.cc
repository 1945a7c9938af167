#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace podtap {

NetnsScope::NetnsScope(const std::string& path) {
  if (path.empty()) return;
  home_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home_ < 0) { error_ = std::string("cannot open own network namespace: ") + strerror(errno); return; }
  int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    error_ = "cannot open network namespace " + path + ": " + strerror(errno);
  } else {
    if (setns(target, CLONE_NEWNET) != 0) error_ = "cannot enter network namespace " + path + ": " + strerror(errno);
    close(target);
  }
  if (!error_.empty()) { close(home_); home_ = -1; }
}

NetnsScope::~NetnsScope() {
  if (home_ < 0) return;
  // Failing to return would leave the JS thread in the pod's namespace: every
  // later socket would be created there. Nothing sane can continue.
  if (setns(home_, CLONE_NEWNET) != 0) {
    std::fprintf(stderr, "podtap: cannot return to the original network namespace: %s\n", strerror(errno));
    std::abort();
  }
  close(home_);
}

}  // namespace podtap
