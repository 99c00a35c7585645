#include "config/config.hpp"

#include <boost/test/unit_test.hpp>

using crm::load_config;

namespace {

std::string error_text(const crm::expected<crm::config>& r) {
  BOOST_REQUIRE(!r);
  BOOST_CHECK(crm::code_of(r.error()) == crm::ec::invalid_config);
  return crm::message_of(r.error());
}

bool mentions(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(config_load)

BOOST_AUTO_TEST_CASE(defaults_apply_without_file_or_environment) {
  auto cfg = load_config("", {});
  BOOST_REQUIRE(cfg);
  BOOST_CHECK_EQUAL(cfg->http_address, "127.0.0.1");
  BOOST_CHECK_EQUAL(cfg->http_port, 8080);
  BOOST_CHECK_EQUAL(cfg->meta_graph_url, "https://graph.facebook.com/v21.0");
  BOOST_CHECK_EQUAL(cfg->timezone, "America/Bogota");
  BOOST_CHECK_EQUAL(cfg->log_level, "info");
}

BOOST_AUTO_TEST_CASE(file_values_are_read_by_nested_key) {
  auto cfg = load_config(R"({"http": {"port": 9090, "threads": 3},
                            "database": {"url": "postgresql://x@db:5432/crm", "poolSize": 6},
                            "meta": {"appSecret": "s3cret"}, "log": {"level": "debug"},
                            "_comment": "ignored"})",
                         {});
  BOOST_REQUIRE(cfg);
  BOOST_CHECK_EQUAL(cfg->http_port, 9090);
  BOOST_CHECK_EQUAL(cfg->http_threads, 3);
  BOOST_CHECK_EQUAL(cfg->database_url, "postgresql://x@db:5432/crm");
  BOOST_CHECK_EQUAL(cfg->database_pool_size, 6);
  BOOST_CHECK_EQUAL(cfg->meta_app_secret, "s3cret");
  BOOST_CHECK_EQUAL(cfg->log_level, "debug");
}

BOOST_AUTO_TEST_CASE(environment_overrides_the_file) {
  auto cfg = load_config(R"({"http": {"port": 9090}, "log": {"level": "debug"}})",
                         {{"CRM_HTTP_PORT", "7070"},
                          {"CRM_LOG_LEVEL", "warn"},
                          {"CRM_DATABASE_URL", "postgresql://crm@127.0.0.1:6000/t"},
                          {"CRM_META_APP_SECRET", "from-env"},
                          {"CRM_REDIS_URL", "redis://127.0.0.1:6380/0"},
                          {"CRM_TIMEZONE", "America/Lima"},
                          {"CRM_UNRELATED_THING", "ignored"}});
  BOOST_REQUIRE(cfg);
  BOOST_CHECK_EQUAL(cfg->http_port, 7070);
  BOOST_CHECK_EQUAL(cfg->log_level, "warn");
  BOOST_CHECK_EQUAL(cfg->database_url, "postgresql://crm@127.0.0.1:6000/t");
  BOOST_CHECK_EQUAL(cfg->meta_app_secret, "from-env");
  BOOST_CHECK_EQUAL(cfg->redis_url, "redis://127.0.0.1:6380/0");
  BOOST_CHECK_EQUAL(cfg->timezone, "America/Lima");
}

BOOST_AUTO_TEST_CASE(contact_rules_may_be_tightened_never_widened) {
  auto cfg = load_config(R"({"contact": {"weekdays": "08:00-18:00", "saturday": ""}})",
                         {{"CRM_CONTACT_COUNT", "two_way"},
                          {"CRM_OPT_OUT_PHRASES", "alto|no mas"},
                          {"CRM_CLOCK_OFFSET_SECONDS", "-3600"}});
  BOOST_REQUIRE(cfg);
  auto s = crm::contact_settings(*cfg);
  BOOST_REQUIRE(s.rules.windows[1]);
  BOOST_CHECK_EQUAL(s.rules.windows[1]->from, 8 * 60);
  BOOST_CHECK_EQUAL(s.rules.windows[5]->to, 18 * 60);
  BOOST_CHECK(!s.rules.windows[6]); // no Saturdays
  BOOST_CHECK(!s.rules.windows[0]);
  BOOST_CHECK(s.two_way_only);
  BOOST_CHECK_EQUAL(s.opt_out_phrases.size(), 2u);
  BOOST_CHECK_EQUAL(s.clock_offset.count(), -3600);
  BOOST_CHECK(!crm::contact_settings(*load_config("", {})).forbidden_phrases.empty());
  for (auto [key, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"CRM_CONTACT_WEEKDAYS", "06:00-19:00"},
           {"CRM_CONTACT_SATURDAY", "08:00-16:00"},
           {"CRM_CONTACT_SUNDAY", "09:00-12:00"},
           {"CRM_CONTACT_WEEKDAYS", "7-19"},
           {"CRM_CONTACT_COUNT", "sometimes"},
           {"CRM_CONTACT_HOLIDAYS_CLOSED", "0"}}) {
    auto text = error_text(load_config("", {{key, value}}));
    BOOST_CHECK_MESSAGE(mentions(text, key), key << ": " << text);
  }
}

BOOST_AUTO_TEST_CASE(unknown_file_key_is_named) {
  auto text = error_text(load_config(R"({"http": {"prot": 80}})", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "'http.prot'"), text);
  BOOST_CHECK_MESSAGE(mentions(text, "unknown"), text);
}

BOOST_AUTO_TEST_CASE(wrong_type_is_named) {
  auto text = error_text(load_config(R"({"http": {"port": "eighty"}})", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "'http.port'"), text);
  text = error_text(load_config(R"({"http": 5})", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "'http'") && mentions(text, "object"), text);
}

BOOST_AUTO_TEST_CASE(out_of_range_environment_value_names_the_variable) {
  auto text = error_text(load_config("", {{"CRM_HTTP_PORT", "70000"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "CRM_HTTP_PORT"), text);
  text = error_text(load_config("", {{"CRM_HTTP_PORT", "80x"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "CRM_HTTP_PORT"), text);
}

BOOST_AUTO_TEST_CASE(enumerations_and_urls_are_checked) {
  auto text = error_text(load_config("", {{"CRM_LOG_LEVEL", "loud"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "CRM_LOG_LEVEL") && mentions(text, "debug"), text);
  text = error_text(load_config("", {{"CRM_DATABASE_URL", "mysql://x"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "database.url"), text);
  text = error_text(load_config("", {{"CRM_REDIS_URL", "http://x"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "redis.url"), text);
  text = error_text(load_config("", {{"CRM_JWT_SECRET", "short"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "jwt.secret") && mentions(text, "32"), text);
}

BOOST_AUTO_TEST_CASE(malformed_file_is_reported) {
  auto text = error_text(load_config("{ not json", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "not JSON"), text);
  text = error_text(load_config("[1, 2]", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "object"), text);
}

BOOST_AUTO_TEST_CASE(production_refuses_the_default_jwt_secret) {
  auto text = error_text(load_config(R"({"mode": "production", "meta": {"appSecret": "x"}})", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "jwt.secret"), text);
  auto ok = load_config(
      R"({"mode": "production", "meta": {"appSecret": "x"}})",
      {{"CRM_JWT_SECRET", std::string(40, 'k')}, {"CRM_SECRETS_KEY", std::string(64, 'a')}});
  BOOST_CHECK(ok);
}

BOOST_AUTO_TEST_CASE(production_refuses_the_default_secrets_key) {
  auto text = error_text(load_config(R"({"mode": "production", "meta": {"appSecret": "x"}})",
                                     {{"CRM_JWT_SECRET", std::string(40, 'k')}}));
  BOOST_CHECK_MESSAGE(mentions(text, "secrets.key"), text);
  text = error_text(load_config("{}", {{"CRM_SECRETS_KEY", "short"}}));
  BOOST_CHECK_MESSAGE(mentions(text, "CRM_SECRETS_KEY") || mentions(text, "secrets.key"), text);
}

BOOST_AUTO_TEST_CASE(pool_must_leave_room_for_readers) {
  auto text = error_text(load_config(R"({"database": {"poolSize": 2, "writers": 2}})", {}));
  BOOST_CHECK_MESSAGE(mentions(text, "database.writers"), text);
}

BOOST_AUTO_TEST_CASE(every_key_has_a_crm_variable) {
  for (auto& k : crm::config_keys()) {
    BOOST_CHECK_MESSAGE(k.env.rfind("CRM_", 0) == 0, k.path);
    BOOST_CHECK(!k.description.empty());
  }
}

BOOST_AUTO_TEST_CASE(production_never_reads_the_development_file_unasked) {
  char prog[] = "crm-server", flag[] = "--config", file[] = "/etc/crm/crm.json";
  char* none[] = {prog, nullptr};
  char* given[] = {prog, flag, file, nullptr};
  auto dev = crm::config_file_of({}, 1, none);
  BOOST_CHECK_EQUAL(dev.path, "config/crm.json");
  BOOST_CHECK(!dev.explicit_path);
  // config/crm.json carries public development secrets: production reads only a named file.
  BOOST_CHECK(crm::config_file_of({{"CRM_MODE", "production"}}, 1, none).path.empty());
  auto named =
      crm::config_file_of({{"CRM_MODE", "production"}, {"CRM_CONFIG", "/etc/x.json"}}, 1, none);
  BOOST_CHECK_EQUAL(named.path, "/etc/x.json");
  BOOST_CHECK(named.explicit_path);
  BOOST_CHECK_EQUAL(crm::config_file_of({{"CRM_MODE", "production"}}, 3, given).path,
                    "/etc/crm/crm.json");
}

BOOST_AUTO_TEST_SUITE_END()
