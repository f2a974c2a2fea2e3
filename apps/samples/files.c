/*
 * files — a WASI command that works on a granted VFS folder with plain C stdio and
 * dirent (wasi-libc: the folder is a preopen) and with the grey fs_* and kv_* calls.
 *
 *   greyos run apps/out/files.wasm --dir /home/<you>/work:/work \
 *       --cap kv.read --cap kv.write -- /work
 *
 * In DIR (argv[1], default /work) it:
 *   - writes notes.txt with fopen/fprintf/fclose, appends a line (fopen "a"), reads it back;
 *   - if input.txt exists, writes output.txt = input.txt in upper case;
 *   - mkdir sub, writes sub/moved.txt via rename, stats it, lists DIR with opendir/readdir;
 *   - writes grey.txt with fs_open/fs_write/fs_close, checks it with fs_stat and fs_list;
 *   - counts its runs in the key-value store (kv_get/kv_set "runs"; skipped without kv caps).
 * Prints what it does; exits 0 when every step worked, 1 otherwise.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <grey.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failures;

static void check(int ok, const char *what) {
    if (ok) {
        printf("ok   %s\n", what);
    } else {
        printf("FAIL %s (errno %d: %s)\n", what, errno, strerror(errno));
        failures++;
    }
}

static void path_of(char *out, size_t size, const char *dir, const char *name) {
    snprintf(out, size, "%s/%s", dir, name);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/work";
    char path[512], other[512], line[256];

    /* stdio: write, append, read back */
    path_of(path, sizeof path, dir, "notes.txt");
    FILE *f = fopen(path, "w");
    check(f != NULL, "fopen notes.txt for writing");
    if (f) {
        fprintf(f, "hello from a GreyOS app\n");
        check(fclose(f) == 0, "fclose notes.txt (commits it to the VFS)");
    }
    f = fopen(path, "a");
    check(f != NULL, "fopen notes.txt for appending");
    if (f) {
        fputs("second line\n", f);
        check(fclose(f) == 0, "fclose after append");
    }
    f = fopen(path, "r");
    check(f != NULL, "fopen notes.txt for reading");
    if (f) {
        int lines = 0;
        while (fgets(line, sizeof line, f)) {
            printf("  notes.txt: %s", line);
            lines++;
        }
        fclose(f);
        check(lines == 2, "notes.txt has 2 lines");
    }

    /* input.txt -> output.txt in upper case */
    path_of(path, sizeof path, dir, "input.txt");
    FILE *in = fopen(path, "r");
    if (in) {
        path_of(other, sizeof other, dir, "output.txt");
        FILE *out = fopen(other, "w");
        check(out != NULL, "fopen output.txt");
        int c;
        long n = 0;
        while ((c = fgetc(in)) != EOF && out) {
            fputc(toupper(c), out);
            n++;
        }
        fclose(in);
        if (out) {
            check(fclose(out) == 0, "output.txt written");
        }
        printf("  converted %ld bytes of input.txt\n", n);
    }

    /* folders: mkdir, rename, stat, list */
    path_of(path, sizeof path, dir, "sub");
    check(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir sub");
    path_of(path, sizeof path, dir, "tmp.txt");
    f = fopen(path, "w");
    if (f) {
        fputs("12345", f);
        fclose(f);
    }
    path_of(other, sizeof other, dir, "sub/moved.txt");
    check(rename(path, other) == 0, "rename tmp.txt -> sub/moved.txt");
    struct stat st;
    check(stat(other, &st) == 0 && st.st_size == 5 && S_ISREG(st.st_mode), "stat sub/moved.txt is a 5-byte file");
    DIR *d = opendir(dir);
    check(d != NULL, "opendir");
    if (d) {
        struct dirent *e;
        int seen = 0;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                printf("  entry: %s%s\n", e->d_name, e->d_type == DT_DIR ? "/" : "");
                seen++;
            }
        }
        closedir(d);
        check(seen >= 2, "readdir lists the entries");
    }

    /* grey fs_* */
    path_of(path, sizeof path, dir, "grey.txt");
    grey_handle_t h = fs_open(path, (uint32_t)strlen(path), GREY_FS_WRITE | GREY_FS_CREATE | GREY_FS_TRUNC);
    check(h > 0, "fs_open grey.txt");
    if (h > 0) {
        const char *text = "written with fs_write\n";
        check(fs_write(h, text, (uint32_t)strlen(text)) == (int32_t)strlen(text), "fs_write");
        check(fs_close(h) == 0, "fs_close commits");
    }
    struct grey_fs_stat gs;
    check(fs_stat(path, (uint32_t)strlen(path), &gs) == 0 && gs.size == 22 && gs.kind == GREY_FS_KIND_FILE, "fs_stat grey.txt is 22 bytes");
    uint8_t buf[4096];
    int32_t n = fs_list(dir, (uint32_t)strlen(dir), 0, buf, sizeof buf);
    check(n >= 3, "fs_list");
    for (int32_t i = 0, at = 0; i < n; i++) {
        uint32_t kind, len;
        memcpy(&kind, buf + at, 4);
        memcpy(&len, buf + at + 4, 4);
        printf("  fs_list: %.*s%s\n", (int)len, (const char *)buf + at + GREY_FS_LIST_HEADER, kind == GREY_FS_KIND_FOLDER ? "/" : "");
        at += GREY_FS_LIST_HEADER + (int32_t)len;
    }

    /* kv: count the runs */
    char value[32] = {0};
    int32_t got = kv_get("runs", 4, value, sizeof value - 1);
    if (got == GREY_EACCES) {
        printf("  kv: not granted (run with --cap kv.read --cap kv.write)\n");
    } else {
        long runs = got >= 0 ? strtol(value, NULL, 10) : 0;
        check(got >= 0 || got == GREY_ENOENT, "kv_get runs");
        snprintf(value, sizeof value, "%ld", runs + 1);
        check(kv_set("runs", 4, value, (uint32_t)strlen(value)) == 0, "kv_set runs");
        printf("  runs: %s\n", value);
    }

    printf("files: %s, %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
