/*
 * static_accept.h — Accept-Encoding (RFC 9110 §12.5.3), pure: which precompressed variant a
 * client takes.
 */
#ifndef PFD_STATIC_ACCEPT_H
#define PFD_STATIC_ACCEPT_H

/*
 * The qvalue (0..1000, thousandths) the Accept-Encoding value `header` gives `coding`
 * ("gzip", "br"): an explicit entry wins over "*"; "x-gzip" counts as "gzip" (§8.4.1.3); a
 * coding not listed gets 0. A NULL header (no field) accepts nothing but identity here: 0.
 */
int static_accept_q(const char *header, const char *coding);

#endif
