/* `sioconform client [options] -- CMD ARGS...` (cc_main.c): the client checker's
 * command line, its runs on the harness's scheduler and its reports. */
#ifndef CC_MAIN_H
#define CC_MAIN_H

/* ARGV[0] is "client". VECTORS_DIR: for the HTML report's spec links. KNOWN_DEFAULT: the
 * known-deviations file used unless an option says otherwise. Returns the exit status (0 pass, 1
 * conformance failure, 2 usage). */
int cc_main(int argc, char **argv, const char *vectors_dir, const char *known_default);

#endif
