using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Kernel.Files;

/// <summary>WASI preview1 errno values the file calls return.</summary>
internal static class WasiErrno
{
    public const int Success = 0;
    public const int Acces = 2;
    public const int Again = 6;
    public const int Badf = 8;
    public const int Dquot = 19;
    public const int Exist = 20;
    public const int Fault = 21;
    public const int Fbig = 22;
    public const int Inval = 28;
    public const int Io = 29;
    public const int Isdir = 31;
    public const int Mfile = 33;
    public const int Noent = 44;
    public const int Nosys = 52;
    public const int Notdir = 54;
    public const int Notempty = 55;
    public const int Notsup = 58;
    public const int Overflow = 61;
    public const int Perm = 63;
    public const int Spipe = 70;
    public const int Notcapable = 76;
}

/// <summary>
/// One failure of a file operation, in both numberings: WASI errno and grey error. Errors of the VFS
/// (stable codes) are mapped here in one place.
/// </summary>
internal readonly record struct FileError(int Wasi, int Grey)
{
    public static readonly FileError NotFound = new(WasiErrno.Noent, GreyErrno.ENOENT);
    public static readonly FileError Exists = new(WasiErrno.Exist, GreyErrno.EEXIST);
    public static readonly FileError NotDirectory = new(WasiErrno.Notdir, GreyErrno.ENOTDIR);
    public static readonly FileError IsDirectory = new(WasiErrno.Isdir, GreyErrno.EISDIR);
    public static readonly FileError NotEmpty = new(WasiErrno.Notempty, GreyErrno.ENOTEMPTY);
    public static readonly FileError Forbidden = new(WasiErrno.Acces, GreyErrno.EACCES);
    public static readonly FileError NotCapable = new(WasiErrno.Notcapable, GreyErrno.EACCES);
    public static readonly FileError Quota = new(WasiErrno.Dquot, GreyErrno.EQUOTA);
    public static readonly FileError Invalid = new(WasiErrno.Inval, GreyErrno.EINVAL);
    public static readonly FileError BadDescriptor = new(WasiErrno.Badf, GreyErrno.EBADF);
    public static readonly FileError TooManyOpen = new(WasiErrno.Mfile, GreyErrno.EQUOTA);
    public static readonly FileError Io = new(WasiErrno.Io, GreyErrno.EIO);

    /// <summary>The errno for a VFS error code.</summary>
    public static FileError From(GreyError error) => error.Code switch
    {
        ErrorCodes.FileNotFound => NotFound,
        ErrorCodes.FileExists => Exists,
        ErrorCodes.NotAFolder => NotDirectory,
        ErrorCodes.NotAFile => IsDirectory,
        ErrorCodes.FolderNotEmpty => NotEmpty,
        ErrorCodes.Forbidden => Forbidden,
        ErrorCodes.InvalidPath or ErrorCodes.InvalidRequest => Invalid,
        ErrorCodes.ContentTooLarge => new(WasiErrno.Fbig, GreyErrno.EQUOTA),
        "quota_exceeded" => Quota,
        _ => Io,
    };
}
