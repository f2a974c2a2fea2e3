namespace GreyOS.Abstractions.Runtime;

/// <summary>
/// Error values of ABI <c>grey</c> v1 (see <c>abi/grey-v1.json</c>): a syscall returns ≥ 0 on
/// success and one of these on failure. Numbers are never reused.
/// </summary>
public static class GreyErrno
{
    public const int EACCES = -1;
    public const int ENOENT = -2;
    public const int EINVAL = -3;
    public const int EQUOTA = -4;
    public const int EAGAIN = -5;
    public const int EBADF = -6;
    public const int EFAULT = -7;
    public const int ENOSYS = -8;
    public const int ERANGE = -9;
    public const int ETIMEDOUT = -10;
    public const int ECANCELED = -11;
    public const int EIO = -12;
    public const int ENOMEM = -13;
    public const int EEXIST = -14;
    public const int ESRCH = -15;
    public const int ENOTDIR = -16;
    public const int EISDIR = -17;
    public const int ENOTEMPTY = -18;
}
