/*
 * config_value.h — checks and parsers of single directive values (pure; see config_value.c).
 * The directive table (config_directives.c) points at the checks, and the mime.types reader uses
 * two of them; config.c and the tests use the listen parser. pfd_size_parse(), defined there too,
 * is the module API's (module.h).
 */
#ifndef PFD_CONFIG_VALUE_H
#define PFD_CONFIG_VALUE_H

#include <stdint.h>
#include <sys/socket.h>

/* Checks one string value; NULL when good, else why not (a phrase for "NAME "VALUE": why"). */
typedef const char *(*config_check_fn)(const char *value);

const char *config_check_nonempty(const char *value);
/* What pfd_config_parse_listen() accepts. */
const char *config_check_listen(const char *value);
/* "emerg" … "debug", as config_log_level_of() knows them. */
const char *config_check_log_level(const char *value);
/* What pfd_size_parse() accepts. */
const char *config_check_size(const char *value);
/* A single path component: not empty, no '/', not "." or "..". */
const char *config_check_file_name(const char *value);
/* "type/subtype", no blanks. */
const char *config_check_media_type(const char *value);

/* follow_symlinks: "on", "off", "if_owner_match" (enum pfd_symlinks), or -1. */
int config_symlinks_of(const char *value);
const char *config_check_symlinks(const char *value);
/* prefork { scheduling }: "normal", "batch" (enum pfd_scheduling), or -1. */
int config_scheduling_of(const char *value);
const char *config_check_scheduling(const char *value);

/* allow_override: one of Apache's AllowOverride words, case-insensitive: "None" (0), "All",
 * "AuthConfig", "FileInfo", "Indexes", "Limit", "Options" (enum pfd_override), or -1. */
int config_override_of(const char *value);
const char *config_check_override(const char *value);

/* The enum pfd_log_level of "emerg" … "debug", or -1. */
int config_log_level_of(const char *value);

/* "host:port", "[v6]:port", "*:port", "port" → address; 0 or -1. */
int pfd_config_parse_listen(const char *text, struct sockaddr_storage *addr, socklen_t *len);

/* protocols: a space-separated list of "TLSv1.2" and "TLSv1.3". NULL when fine, else why. */
const char *config_check_tls_protocols(const char *value);
/* tls { verify_client }: "off", "optional" or "require". */
const char *config_check_tls_verify_client(const char *value);
/* Its value as PFD_TLS_VERIFY_*; a value not checked counts as "off". */
int config_tls_verify_client(const char *value);
/* The protocol versions a checked protocols value allows, as bits: 1 << 2 for TLSv1.2, 1 << 3
 * for TLSv1.3. */
unsigned config_tls_protocol_bits(const char *value);

#endif
