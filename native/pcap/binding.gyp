# Builds podtap's addons: native/pcap/build/Release/podtap_pcap.node (libpcap, live capture)
# and podtap_inflate.node (stateful zlib inflate for the dissectors; zlib is Node's own).
# Needs libpcap headers (apt-get install libpcap-dev) and a C++17 compiler.
{
  "targets": [
    {
      "target_name": "podtap_pcap",
      "sources": ["src/addon.cc", "src/live-handle.cc", "src/netns.cc", "src/privileges.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "libraries": ["-lpcap", "-lpthread"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions"]
    },
    {
      "target_name": "podtap_inflate",
      "sources": ["src/inflate.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
