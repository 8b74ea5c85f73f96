/*
 * fuzz_config_value.c — libFuzzer target for server/config_value.c: the parsers of directive
 * values an administrator (or a config generator fed from elsewhere) writes.
 *
 * pfd_size_parse() returns -1 or a non-negative size, and agrees with
 * config_check_size(); pfd_config_parse_listen() fills an IPv4 or IPv6 address with a port
 * 1..65535 whose length matches the family, and agrees with config_check_listen().
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/config.h"
#include "config/config_value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char *text = malloc(size + 1);
    assert(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';

    int64_t bytes = pfd_size_parse(text);
    assert(bytes >= -1);
    assert((bytes == -1) == (config_check_size(text) != NULL));

    struct sockaddr_storage addr;
    socklen_t len = 0;
    int rc = pfd_config_parse_listen(text, &addr, &len);
    assert(rc == 0 || rc == -1);
    assert((rc == -1) == (config_check_listen(text) != NULL));
    if (rc == 0) {
        if (addr.ss_family == AF_INET) {
            assert(len == sizeof(struct sockaddr_in));
            assert(ntohs(((struct sockaddr_in *)&addr)->sin_port) >= 1);
        } else {
            assert(addr.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6));
            assert(ntohs(((struct sockaddr_in6 *)&addr)->sin6_port) >= 1);
        }
    }

    (void)config_check_log_level(text);
    (void)config_check_file_name(text);
    (void)config_check_media_type(text);
    free(text);
    return 0;
}
