// Runs a piece of code inside another network namespace (a pod's), on the
// calling thread only. A packet socket stays bound to the namespace it was
// created in, so opening the capture there is enough: reading can happen
// from any thread afterwards.
#pragma once
#include <string>

namespace podtap {

class NetnsScope {
 public:
  // Enters the namespace at `path` (/var/run/netns/NAME or /proc/PID/ns/net);
  // an empty path does nothing. On failure ok() is false and error() says why.
  explicit NetnsScope(const std::string& path);
  // Returns the thread to the namespace it came from.
  ~NetnsScope();
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  int home_ = -1;
  std::string error_;
};

}  // namespace podtap
