/* `sioconform cluster URL1 URL2 ... [--via LB_URL]` (cl_main.c): the cluster cases
 * (cl_cases.h) planned and run on the harness's scheduler one at a time, graded and
 * reported exactly like server runs (console lines, summary, JUnit/JSON/HTML, exit
 * codes). conformance/README.md, "sioconform cluster". */
#ifndef CL_MAIN_H
#define CL_MAIN_H

/* ARGV[0] is "cluster". VECTORS_DIR: the vectors (for the HTML page's documents);
 * KNOWN_DEFAULT: the default known-deviations file. Returns the exit status. */
int cl_main(int argc, char **argv, const char *vectors_dir, const char *known_default);

#endif
