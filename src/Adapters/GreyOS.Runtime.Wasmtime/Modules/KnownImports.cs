using System.Collections.Frozen;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Modules;

/// <summary>The function type of an import: parameter and result kinds.</summary>
internal sealed record ImportSignature(ValueKind[] Parameters, ValueKind[] Results)
{
    public bool Matches(IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results) =>
        Parameters.SequenceEqual(parameters) && Results.SequenceEqual(results);

    public override string ToString() => Describe(Parameters, Results);

    public static string Describe(IEnumerable<ValueKind> parameters, IEnumerable<ValueKind> results) =>
        $"({string.Join(", ", parameters.Select(Name))}) -> ({string.Join(", ", results.Select(Name))})";

    private static string Name(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => "i32",
        ValueKind.Int64 => "i64",
        ValueKind.Float32 => "f32",
        ValueKind.Float64 => "f64",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Every function a guest may import, with its exact type: ABI <c>grey</c> v1 (module <c>"grey"</c>)
/// and all of WASI preview1 (module <c>"wasi_snapshot_preview1"</c>). A module importing anything
/// else, or one of these with another type, is refused at load time. <see cref="Binding.AbiLinker"/>
/// defines a host function for each entry (a test instantiates a module importing all of them).
/// </summary>
internal static class KnownImports
{
    public const string Grey = "grey";
    public const string WasiPreview1 = "wasi_snapshot_preview1";

    private const ValueKind I32 = ValueKind.Int32;
    private const ValueKind I64 = ValueKind.Int64;

    public static readonly FrozenDictionary<(string Module, string Name), ImportSignature> All = Build();

    public static bool TryGet(string module, string name, out ImportSignature signature) =>
        All.TryGetValue((module, name), out signature!);

    private static FrozenDictionary<(string Module, string Name), ImportSignature> Build()
    {
        var all = new Dictionary<(string, string), ImportSignature>();

        void Grey(string name, ValueKind[] parameters, params ValueKind[] results) => all.Add((KnownImports.Grey, name), new(parameters, results));
        void Wasi(string name, params ValueKind[] parameters) => all.Add((WasiPreview1, name), new(parameters, [I32]));

        // grey v1: core
        Grey("grey_abi_version", [], I32);
        Grey("grey_poll", [I32], I64);
        Grey("grey_wait", [I32, I32, I64], I32);
        Grey("grey_close", [I32], I32);
        Grey("grey_read", [I32, I32, I32], I32);

        // grey v1: proc
        Grey("proc_self", [I32, I32], I32);
        Grey("proc_spawn", [I32, I32, I32, I32, I32], I32);
        Grey("proc_exit", [I32]);
        Grey("proc_signal", [I64, I32], I32);
        Grey("proc_wait", [I64], I32);

        // grey v1: time, random, log
        Grey("time_now", [I32, I32], I32);
        Grey("time_sleep", [I64], I32);
        Grey("time_timer", [I64, I64, I64], I32);
        Grey("random_fill", [I32, I32], I32);
        Grey("log_write", [I32, I32, I32], I32);

        // grey v1: fs
        Grey("fs_open", [I32, I32, I32], I32);
        Grey("fs_read", [I32, I32, I32], I32);
        Grey("fs_write", [I32, I32, I32], I32);
        Grey("fs_seek", [I32, I64, I32], I64);
        Grey("fs_close", [I32], I32);
        Grey("fs_stat", [I32, I32, I32], I32);
        Grey("fs_list", [I32, I32, I32, I32, I32], I32);
        Grey("fs_mkdir", [I32, I32, I32], I32);
        Grey("fs_remove", [I32, I32, I32], I32);
        Grey("fs_rename", [I32, I32, I32, I32, I32], I32);

        // grey v1: kv
        Grey("kv_get", [I32, I32, I32, I32], I32);
        Grey("kv_set", [I32, I32, I32, I32], I32);
        Grey("kv_delete", [I32, I32], I32);
        Grey("kv_list", [I32, I32, I32, I32, I32, I32], I32);

        // WASI preview1 (all functions; every one returns an errno except proc_exit)
        Wasi("args_get", I32, I32);
        Wasi("args_sizes_get", I32, I32);
        Wasi("environ_get", I32, I32);
        Wasi("environ_sizes_get", I32, I32);
        Wasi("clock_res_get", I32, I32);
        Wasi("clock_time_get", I32, I64, I32);
        Wasi("fd_advise", I32, I64, I64, I32);
        Wasi("fd_allocate", I32, I64, I64);
        Wasi("fd_close", I32);
        Wasi("fd_datasync", I32);
        Wasi("fd_fdstat_get", I32, I32);
        Wasi("fd_fdstat_set_flags", I32, I32);
        Wasi("fd_fdstat_set_rights", I32, I64, I64);
        Wasi("fd_filestat_get", I32, I32);
        Wasi("fd_filestat_set_size", I32, I64);
        Wasi("fd_filestat_set_times", I32, I64, I64, I32);
        Wasi("fd_pread", I32, I32, I32, I64, I32);
        Wasi("fd_prestat_get", I32, I32);
        Wasi("fd_prestat_dir_name", I32, I32, I32);
        Wasi("fd_pwrite", I32, I32, I32, I64, I32);
        Wasi("fd_read", I32, I32, I32, I32);
        Wasi("fd_readdir", I32, I32, I32, I64, I32);
        Wasi("fd_renumber", I32, I32);
        Wasi("fd_seek", I32, I64, I32, I32);
        Wasi("fd_sync", I32);
        Wasi("fd_tell", I32, I32);
        Wasi("fd_write", I32, I32, I32, I32);
        Wasi("path_create_directory", I32, I32, I32);
        Wasi("path_filestat_get", I32, I32, I32, I32, I32);
        Wasi("path_filestat_set_times", I32, I32, I32, I32, I64, I64, I32);
        Wasi("path_link", I32, I32, I32, I32, I32, I32, I32);
        Wasi("path_open", I32, I32, I32, I32, I32, I64, I64, I32, I32);
        Wasi("path_readlink", I32, I32, I32, I32, I32, I32);
        Wasi("path_remove_directory", I32, I32, I32);
        Wasi("path_rename", I32, I32, I32, I32, I32, I32);
        Wasi("path_symlink", I32, I32, I32, I32, I32);
        Wasi("path_unlink_file", I32, I32, I32);
        Wasi("poll_oneoff", I32, I32, I32, I32);
        all.Add((WasiPreview1, "proc_exit"), new([I32], []));
        Wasi("proc_raise", I32);
        Wasi("sched_yield");
        Wasi("random_get", I32, I32);
        Wasi("sock_accept", I32, I32, I32);
        Wasi("sock_recv", I32, I32, I32, I32, I32, I32);
        Wasi("sock_send", I32, I32, I32, I32, I32);
        Wasi("sock_shutdown", I32, I32);

        return all.ToFrozenDictionary();
    }
}
