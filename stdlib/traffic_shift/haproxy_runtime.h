#pragma once
/// A client for HAProxy's runtime API (the "stats socket" of management.txt §9.3): one
/// connection per call, in non-interactive mode, where HAProxy runs the line's commands
/// (several may be joined with ';'), answers and closes. Also reads and sets server weights
/// the way traffic shifting needs them.

#include <chrono>
#include <string>
#include <string_view>

namespace slipway::stdlib::haproxy {

/// Sends `command` (one line, no newline) to the runtime API at `address` and reads the
/// answer until HAProxy closes the connection. `address` is a Unix socket path (optionally
/// "unix@PATH") or "HOST:PORT" / "ipv4@HOST:PORT" of a TCP stats socket. Returns "" or why
/// the call failed (the answer itself may still report an error: see IsErrorAnswer).
std::string RuntimeCommand(const std::string& address, const std::string& command,
                           std::string* answer,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// True when `name` is a valid HAProxy backend or server name: letters, digits, '-', '_', '.'
/// and ':' (HAProxy's own rule for identifiers, `invalid_char`), at most 100 characters. The
/// runtime API reads ';' and newlines as command separators and spaces as argument
/// separators, so a name outside this set would smuggle commands in.
bool IsValidName(std::string_view name);

/// "" when `name` (of input `what`) is a valid HAProxy name, else why not.
std::string CheckName(std::string_view what, std::string_view name);

/// One server's weights, as `get weight BACKEND/SERVER` reports them: "10 (initial 100)".
struct ServerWeight {
  int current = 0;
  int initial = 0;
};

/// Reads a server's weights; "" or why not (HAProxy's own answer, e.g. "No such server.").
/// GetWeight, SetShare and GetShare refuse names that are not IsValidName before sending.
std::string GetWeight(const std::string& address, const std::string& backend,
                      const std::string& server, ServerWeight* weight);

/// Gives `server` `percent` % of the backend's traffic and `previous_server` (when not empty)
/// the rest, with `set server B/S weight N%` (relative to each server's configured weight, so
/// the two must be configured with the same weight), then reads the weights back to check
/// HAProxy took them. Returns "" or why not.
std::string SetShare(const std::string& address, const std::string& backend,
                     const std::string& server, const std::string& previous_server, int percent);

/// The new server's share now, in percent (rounded), from both servers' current weights.
std::string GetShare(const std::string& address, const std::string& backend,
                     const std::string& server, const std::string& previous_server,
                     int* percent);

}  // namespace slipway::stdlib::haproxy
