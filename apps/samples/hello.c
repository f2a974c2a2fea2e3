/*
 * hello — a plain WASI command (imports only wasi_snapshot_preview1; no grey.h).
 *
 * Prints "hello from GreyOS", then each argument (argv[1..]) on its own line,
 * then "GREETING=<value>" if the environment variable GREETING is set — all to
 * stdout. Then reads stdin to EOF and reports "stdin: N bytes" on stderr.
 * Exits with the number of arguments as its exit code, so
 *     greyos run apps/out/hello.wasm -- a b      exits with 2.
 *
 * What it exercises in the kernel: args_get/args_sizes_get, environ_get,
 * fd_write on fds 1 and 2, fd_read on fd 0 until EOF, fd_fdstat_get (stdio
 * buffering), proc_exit with a non-zero code (and return from _start when 0).
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    puts("hello from GreyOS");
    for (int i = 1; i < argc; i++)
        puts(argv[i]);
    const char *greeting = getenv("GREETING");
    if (greeting != NULL)
        printf("GREETING=%s\n", greeting);
    fflush(stdout);

    char buf[4096];
    unsigned long long total = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        total += n;
    fprintf(stderr, "stdin: %llu bytes\n", total);
    return argc - 1;
}
