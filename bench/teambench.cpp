// crm-teambench: a collections team at work, measured from the outside.
//
//   --scenario latency     30 agents on WebSockets, debtors writing signed Meta webhooks at a
//                          steady --rate (open loop); reports the time from sending a webhook
//                          to the agent's WebSocket receiving its `message.new` (p50/p99/p99.9).
//   --scenario assignment  the server starts with a long queue and every agent offline; all
//                          agents go available at once; reports how fast the DISPATCHER fills
//                          their slots (`chat.assigned` received per second). With --close,
//                          each agent closes every chat it gets at once, so the queue drains
//                          through the agents' slots: the time to drain all --expect chats.
//   --scenario numbers     creates --count Meta numbers through the API (as --supervisor),
//                          writing their ids to --out.
//   --scenario outbound    runs a provider stand-in on --standin-port and waits for --expect
//                          sends; reports each number's achieved rate against its limit.
//
// Agents are given as user ids (--agents file, one per line); tokens are signed with
// --jwt-secret like the server's own.

// <utility> first: Boost 1.74 Asio uses std::exchange without including it.
#include <utility>
// (keeps clang-format from moving <utility>)
#include "domain/jwt.hpp"
#include "tests/support/graph_standin.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct options {
  std::string scenario = "latency";
  unsigned short port = 8080;
  std::string jwt_secret, app_secret, phone_number_id = "100000000000001";
  std::string agents_file, json_out;
  double rate = 1000;
  double duration_s = 20;
  int debtors = 600;
  int senders = 32;
  int batch = 1; // messages per webhook (Meta batches them under load)
  long expect = 0;
  bool close = false;
  int count = 10;
  std::string supervisor, campaign, out;
  unsigned short standin_port = 0;
  double limit = 80;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--scenario")
      o.scenario = v;
    else if (k == "--port")
      o.port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--jwt-secret")
      o.jwt_secret = v;
    else if (k == "--app-secret")
      o.app_secret = v;
    else if (k == "--phone-number-id")
      o.phone_number_id = v;
    else if (k == "--agents")
      o.agents_file = v;
    else if (k == "--json")
      o.json_out = v;
    else if (k == "--rate")
      o.rate = std::stod(v);
    else if (k == "--duration")
      o.duration_s = std::stod(v);
    else if (k == "--debtors")
      o.debtors = std::stoi(v);
    else if (k == "--senders")
      o.senders = std::stoi(v);
    else if (k == "--batch")
      o.batch = std::max(1, std::stoi(v));
    else if (k == "--expect")
      o.expect = std::stol(v);
    else if (k == "--close")
      o.close = v == "yes";
    else if (k == "--count")
      o.count = std::stoi(v);
    else if (k == "--supervisor")
      o.supervisor = v;
    else if (k == "--campaign")
      o.campaign = v;
    else if (k == "--out")
      o.out = v;
    else if (k == "--standin-port")
      o.standin_port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--limit")
      o.limit = std::stod(v);
    else
      throw std::runtime_error("unknown option " + k);
  }
  if (o.scenario != "outbound" && o.jwt_secret.empty())
    throw std::runtime_error("--jwt-secret is required");
  if ((o.scenario == "latency" || o.scenario == "assignment") && o.agents_file.empty())
    throw std::runtime_error("--agents is required");
  return o;
}

std::int64_t ns_since(steady::time_point t0) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(steady::now() - t0).count();
}

/// The agents' WebSockets, each read by its own thread.
struct team {
  team(const options& o, const std::vector<std::string>& ids) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    for (auto& id : ids) {
      auto token = crm::auth::sign_jwt({id, "agent", 0, now, now + 3600}, o.jwt_secret);
      tokens.push_back(token);
      clients.push_back(std::make_unique<crm::test::ws_client>(o.port, token));
      if (!clients.back()->connected())
        throw std::runtime_error("agent " + id + " could not connect");
    }
  }

  /// Every agent asks to be available; returns once all answered.
  void all_available() {
    for (auto& c : clients)
      c->send(R"({"action":"agent.status","data":{"status":"available"},"id":1})");
  }

  /// Starts one reader per agent calling on_frame(agent index, frame) until stop().
  template <class F>
  void read(F on_frame) {
    for (size_t i = 0; i < clients.size(); ++i)
      readers.emplace_back([this, i, c = clients[i].get(), on_frame] {
        while (!stopping.load())
          if (auto frame = c->read(100ms))
            on_frame(i, *frame);
      });
  }

  void stop() {
    stopping = true;
    for (auto& t : readers)
      t.join();
  }

  std::vector<std::unique_ptr<crm::test::ws_client>> clients;
  std::vector<std::string> tokens; // each agent's access token
  std::vector<std::thread> readers;
  std::atomic<bool> stopping{false};
};

/// A keep-alive HTTP connection posting signed webhooks.
struct webhook_sender {
  webhook_sender(unsigned short port) : stream{ioc} {
    stream.connect(asio::ip::tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
  }

  int post(const options& o, const std::string& body) {
    http::request<http::string_body> req{http::verb::post, "/api/v1/webhooks/meta", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.set("X-Hub-Signature-256", crm::test::meta_signature(o.app_secret, body));
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return static_cast<int>(res.result_int());
  }

  asio::io_context ioc;
  beast::tcp_stream stream;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  auto idx = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(idx), v.end());
  return v[idx];
}

std::string phone_of(int debtor) {
  return "57301" + std::to_string(1000000 + debtor);
}

json latency(const options& o, team& agents) {
  auto total = static_cast<long>(o.rate * o.duration_s);
  long warm = o.debtors;
  std::vector<std::atomic<std::int64_t>> sent(static_cast<size_t>(warm + total));
  std::vector<std::atomic<std::int64_t>> received(sent.size());
  std::atomic<long> assigned{0}, failures{0};
  auto t0 = steady::now();
  // Ids unique to this run: a second run on the same database must not re-deliver the first
  // run's ids, which the server rightly takes as duplicates (no new message, no push).
  auto prefix = "wamid.L" +
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count()) +
                ".";
  agents.read([&](size_t, const std::string& frame) {
    if (frame.find("\"chat.assigned\"") != std::string::npos) {
      ++assigned;
      return;
    }
    if (frame.find("\"message.new\"") == std::string::npos)
      return;
    auto at = ns_since(t0);
    auto id = json::parse(frame)["data"].value("providerId", "");
    if (id.rfind(prefix, 0) == 0)
      received.at(std::stoul(id.substr(prefix.size()))) = at;
  });
  agents.all_available();
  std::this_thread::sleep_for(500ms);
  // Send message k of the run at t0 + k / rate, spread over the senders (open loop); with
  // --batch, each webhook carries that many consecutive messages, as Meta's do under load.
  auto send_range = [&](long first, long count, double rate) {
    auto start = steady::now();
    long batches = (count + o.batch - 1) / o.batch;
    std::vector<std::thread> threads;
    for (int s = 0; s < o.senders; ++s)
      threads.emplace_back([&, s] {
        webhook_sender out{o.port};
        for (long b = s; b < batches; b += o.senders) {
          auto k0 = b * o.batch;
          std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                                    static_cast<double>(k0) * 1e9 / rate)));
          json payload;
          auto n = std::min<long>(o.batch, count - k0);
          for (long i = 0; i < n; ++i) {
            auto seq = first + k0 + i;
            auto one = json::parse(crm::test::meta_text_webhook(
                o.phone_number_id, phone_of(static_cast<int>(seq % o.debtors)),
                prefix + std::to_string(seq), "Quiero pagar mi deuda"));
            if (i == 0) {
              payload = std::move(one);
              continue;
            }
            auto& into = payload["entry"][0]["changes"][0]["value"];
            auto& from = one["entry"][0]["changes"][0]["value"];
            into["messages"].push_back(from["messages"][0]);
            into["contacts"].push_back(from["contacts"][0]);
          }
          auto now = ns_since(t0);
          for (long i = 0; i < n; ++i)
            sent.at(static_cast<size_t>(first + k0 + i)) = now;
          if (out.post(o, payload.dump()) != 200)
            failures += n;
        }
      });
    for (auto& t : threads)
      t.join();
  };
  // Warm-up: every debtor writes once and its chat reaches an agent.
  send_range(0, warm, std::min(o.rate, 500.0));
  for (int i = 0; i < 600 && assigned.load() < warm; ++i)
    std::this_thread::sleep_for(100ms);
  std::printf("warm-up: %ld of %ld chats assigned\n", assigned.load(), warm);
  auto run_start = steady::now();
  send_range(warm, total, o.rate);
  std::chrono::duration<double> took = steady::now() - run_start;
  std::this_thread::sleep_for(3s); // stragglers
  agents.stop();
  std::vector<double> ms;
  long missing = 0;
  for (auto k = warm; k < warm + total; ++k) {
    auto r = received[static_cast<size_t>(k)].load(), s = sent[static_cast<size_t>(k)].load();
    if (r == 0)
      ++missing;
    else
      ms.push_back(static_cast<double>(r - s) / 1e6);
  }
  json result = {{"scenario", "webhook-to-agent-ws"},
                 {"agents", agents.clients.size()},
                 {"debtors", o.debtors},
                 {"target_rate", o.rate},
                 {"messages_per_webhook", o.batch},
                 {"achieved_rate", static_cast<double>(total) / took.count()},
                 {"messages", total},
                 {"delivered", ms.size()},
                 {"missing", missing},
                 {"http_failures", failures.load()},
                 {"p50_ms", percentile(ms, 0.50)},
                 {"p99_ms", percentile(ms, 0.99)},
                 {"p999_ms", percentile(ms, 0.999)},
                 {"max_ms", ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end())}};
  std::printf("webhook -> agent WebSocket message.new at %.0f msg/s (achieved %.0f), %zu agents:\n"
              "  delivered %zu of %ld, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
              o.rate, result["achieved_rate"].get<double>(), agents.clients.size(), ms.size(),
              total, result["p50_ms"].get<double>(), result["p99_ms"].get<double>(),
              result["p999_ms"].get<double>(), result["max_ms"].get<double>());
  return result;
}

json assignment(const options& o, team& agents) {
  std::atomic<long> assigned{0};
  std::atomic<std::int64_t> last_ns{0};
  auto t0 = steady::now();
  std::atomic<long> closed{0};
  agents.read([&](size_t agent, const std::string& frame) {
    if (frame.find("\"chat.assigned\"") == std::string::npos)
      return;
    ++assigned;
    last_ns = ns_since(t0);
    if (!o.close)
      return;
    // The agent settles it at once, which frees the slot for the next chat in the queue.
    auto event = json::parse(frame, nullptr, false);
    auto chat = event.is_object() ? event["data"].value("chatId", "") : "";
    auto res = crm::test::http_request(o.port, "POST", "/api/v1/chats/" + chat + "/close",
                                       R"({"outcome": "refused"})",
                                       {{"Authorization", "Bearer " + agents.tokens[agent]},
                                        {"Content-Type", "application/json"}});
    if (res.status == 200)
      ++closed;
  });
  agents.all_available();
  for (int i = 0; i < 1200 && assigned.load() < o.expect; ++i)
    std::this_thread::sleep_for(100ms);
  agents.stop();
  auto secs = static_cast<double>(last_ns.load()) / 1e9;
  json result = {{"scenario", "assignment"},
                 {"agents", agents.clients.size()},
                 {"expected", o.expect},
                 {"assigned", assigned.load()},
                 {"closed_by_agents", closed.load()},
                 {"seconds", secs},
                 {"assignments_per_s", secs > 0 ? static_cast<double>(assigned.load()) / secs : 0}};
  std::printf("assignment: %ld of %ld chats assigned to %zu agents in %.2f s (%.0f per s)\n",
              assigned.load(), o.expect, agents.clients.size(), secs,
              result["assignments_per_s"].get<double>());
  return result;
}

/// Creates Meta numbers through the API, as a supervisor would.
json create_numbers(const options& o) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto token = crm::auth::sign_jwt({o.supervisor, "supervisor", 0, now, now + 600}, o.jwt_secret);
  std::ofstream ids{o.out};
  for (int i = 0; i < o.count; ++i) {
    auto n = std::to_string(10 + i);
    json body = {{"name", "Bench line " + n},
                 {"phoneNumber", "+5730099900" + n},
                 {"provider", "meta"},
                 {"campaignId", o.campaign},
                 {"rateLimitPerSecond", static_cast<int>(o.limit)},
                 {"meta", {{"phoneNumberId", "3000000000000" + n}, {"accessToken", "bench"}}}};
    auto res = crm::test::http_request(
        o.port, "POST", "/api/v1/whatsapp/numbers", body.dump(),
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    if (res.status != 201)
      throw std::runtime_error("number not created: " + std::to_string(res.status) + " " +
                               res.body);
    ids << json::parse(res.body)["id"].get<std::string>() << "\n";
  }
  std::printf("%d numbers created\n", o.count);
  return {{"scenario", "numbers"}, {"created", o.count}};
}

/// Receives the numbers' sends on a stand-in and measures each number's pace.
json outbound(const options& o) {
  crm::test::graph_standin standin{o.standin_port};
  std::printf("stand-in listening on %s, waiting for %ld sends\n", standin.url().c_str(), o.expect);
  std::fflush(stdout);
  for (int i = 0; i < 6000 && static_cast<long>(standin.count()) < o.expect; ++i)
    std::this_thread::sleep_for(100ms);
  auto seen = standin.requests();
  std::map<std::string, std::vector<steady::time_point>> by_number;
  for (auto& r : seen)
    by_number[r.target].push_back(r.at);
  json per_number = json::array();
  double min_rate = 1e9, max_rate = 0;
  auto first = seen.empty() ? steady::now() : seen.front().at;
  auto last = first;
  for (auto& [target, at] : by_number) {
    std::sort(at.begin(), at.end());
    first = std::min(first, at.front());
    last = std::max(last, at.back());
    std::chrono::duration<double> span = at.back() - at.front();
    auto rate = span.count() > 0 ? static_cast<double>(at.size() - 1) / span.count() : 0;
    min_rate = std::min(min_rate, rate);
    max_rate = std::max(max_rate, rate);
    per_number.push_back({{"target", target}, {"sends", at.size()}, {"rate", rate}});
  }
  std::chrono::duration<double> total = last - first;
  auto overall = total.count() > 0 ? static_cast<double>(seen.size()) / total.count() : 0;
  json result = {
      {"scenario", "outbound"},      {"numbers", by_number.size()}, {"limit_per_number", o.limit},
      {"sends", seen.size()},        {"seconds", total.count()},    {"overall_rate", overall},
      {"min_number_rate", min_rate}, {"max_number_rate", max_rate}, {"per_number", per_number}};
  std::printf("outbound: %zu sends through %zu numbers in %.2f s: %.0f msg/s overall; per number "
              "%.1f-%.1f msg/s against a limit of %.0f\n",
              seen.size(), by_number.size(), total.count(), overall, min_rate, max_rate, o.limit);
  std::fflush(stdout);
  return result;
}

} // namespace

int main(int argc, char** argv) {
  try {
    auto o = parse(argc, argv);
    if (o.scenario == "numbers" || o.scenario == "outbound") {
      auto result = o.scenario == "numbers" ? create_numbers(o) : outbound(o);
      if (!o.json_out.empty())
        std::ofstream{o.json_out} << result.dump(2) << "\n";
      return 0;
    }
    std::vector<std::string> ids;
    std::ifstream in{o.agents_file};
    for (std::string line; std::getline(in, line);)
      if (!line.empty())
        ids.push_back(line);
    team agents{o, ids};
    auto result = o.scenario == "latency" ? latency(o, agents) : assignment(o, agents);
    if (!o.json_out.empty())
      std::ofstream{o.json_out} << result.dump(2) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crm-teambench: %s\n", e.what());
    return 1;
  }
}
