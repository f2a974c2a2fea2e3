using GreyOS.Abstractions.Runtime;

namespace GreyOS.Kernel.Syscalls;

/// <summary>A pending asynchronous operation (sleep, timer, spawn, wait) behind a handle.</summary>
internal sealed class PendingOperation(int handle, bool periodic)
{
    public int Handle { get; } = handle;

    /// <summary>A periodic timer: stays open until closed; polling returns the expiries since the last poll.</summary>
    public bool Periodic { get; } = periodic;

    public bool Done { get; set; }

    public long Result { get; set; } = GreyErrno.EAGAIN;

    public long Expiries { get; set; }

    /// <summary>A TIMER event for this periodic timer is queued and not yet delivered (expiries coalesce).</summary>
    public bool EventQueued { get; set; }

    public ITimer? Timer { get; set; }

    /// <summary>What a resource handle names (an open file): always ready, never freed by a poll.</summary>
    public object? Resource { get; set; }

    public bool Ready => Done || Expiries > 0;
}

/// <summary>
/// A process's handles: small positive integers naming pending operations. Completions arrive on
/// other threads (timers, other processes), so the table is locked; <see cref="Completed"/> wakes a
/// command blocked in <c>grey_wait</c>.
/// </summary>
internal sealed class HandleTable(int capacity)
{
    private readonly Dictionary<int, PendingOperation> _operations = [];
    private readonly Lock _lock = new();
    private int _next;

    /// <summary>Set whenever an operation completes.</summary>
    public ManualResetEventSlim Completed { get; } = new(false);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _operations.Count;
            }
        }
    }

    /// <summary>A new handle, or null when the process holds too many.</summary>
    public PendingOperation? Open(bool periodic = false)
    {
        lock (_lock)
        {
            if (_operations.Count >= capacity)
            {
                return null;
            }

            do
            {
                _next = _next == int.MaxValue ? 1 : _next + 1;
            }
            while (_operations.ContainsKey(_next));

            var operation = new PendingOperation(_next, periodic);
            _operations[_next] = operation;
            return operation;
        }
    }

    /// <summary>A handle naming a resource (an open file); null when the process holds too many.</summary>
    public PendingOperation? OpenResource(object resource)
    {
        var operation = Open();
        if (operation is not null)
        {
            operation.Resource = resource;
            operation.Done = true;
            operation.Result = 0;
        }

        return operation;
    }

    /// <summary>The resource behind a handle, or null (not open, or an operation).</summary>
    public object? ResourceOf(int handle)
    {
        lock (_lock)
        {
            return _operations.TryGetValue(handle, out var operation) ? operation.Resource : null;
        }
    }

    /// <summary>Completes an operation (ignored when it was closed meanwhile); true if it was pending.</summary>
    public bool Complete(PendingOperation operation, long result)
    {
        lock (_lock)
        {
            if (operation.Done || !_operations.ContainsKey(operation.Handle))
            {
                return false;
            }

            operation.Done = true;
            operation.Result = result;
        }

        Completed.Set();
        return true;
    }

    /// <summary>A timer expired: one-shot timers complete with 1, periodic ones count expiries.</summary>
    public bool Expire(PendingOperation operation)
    {
        lock (_lock)
        {
            if (operation.Done || !_operations.ContainsKey(operation.Handle))
            {
                return false;
            }

            operation.Expiries++;
            if (!operation.Periodic)
            {
                operation.Done = true;
                operation.Result = operation.Expiries;
            }
        }

        Completed.Set();
        return true;
    }

    /// <summary>
    /// <c>grey_poll</c>: EBADF, EAGAIN while pending, else the result and a one-shot handle is freed;
    /// a periodic timer returns its expiries since the last poll and stays open.
    /// </summary>
    public long Poll(int handle)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(handle, out var operation))
            {
                return GreyErrno.EBADF;
            }

            if (operation.Resource is not null)
            {
                return 0; // a file handle is always ready and stays open until closed
            }

            if (operation.Periodic)
            {
                var expiries = operation.Expiries;
                operation.Expiries = 0;
                return expiries > 0 ? expiries : GreyErrno.EAGAIN;
            }

            if (!operation.Done)
            {
                return GreyErrno.EAGAIN;
            }

            _operations.Remove(handle);
            operation.Timer?.Dispose();
            return operation.Result;
        }
    }

    /// <summary>
    /// Called when an event about <paramref name="handle"/> is delivered to a service: frees a one-shot
    /// handle, resets a periodic timer's count. False when the handle was polled or closed meanwhile
    /// (then the event is dropped).
    /// </summary>
    public bool ConsumeForEvent(int handle)
    {
        lock (_lock)
        {
            if (!_operations.TryGetValue(handle, out var operation))
            {
                return false;
            }

            if (operation.Periodic)
            {
                operation.EventQueued = false;
                operation.Expiries = 0;
            }
            else
            {
                _operations.Remove(handle);
                operation.Timer?.Dispose();
            }

            return true;
        }
    }

    /// <summary>Marks that a TIMER event is queued for a periodic timer; false if one already is (coalesce).</summary>
    public bool TryQueueTimerEvent(PendingOperation operation)
    {
        lock (_lock)
        {
            if (operation.EventQueued || !_operations.ContainsKey(operation.Handle))
            {
                return false;
            }

            operation.EventQueued = operation.Periodic;
            return true;
        }
    }

    /// <summary>Index of the first completed handle among <paramref name="handles"/>, -1 if none, EBADF for an unknown one.</summary>
    public int FirstCompleted(ReadOnlySpan<int> handles)
    {
        lock (_lock)
        {
            for (var i = 0; i < handles.Length; i++)
            {
                if (!_operations.TryGetValue(handles[i], out var operation))
                {
                    return GreyErrno.EBADF;
                }

                if (operation.Ready)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    public bool Contains(int handle)
    {
        lock (_lock)
        {
            return _operations.ContainsKey(handle);
        }
    }

    /// <summary><c>grey_close</c>: cancels and frees the handle.</summary>
    public int Close(int handle)
    {
        lock (_lock)
        {
            if (!_operations.Remove(handle, out var operation))
            {
                return GreyErrno.EBADF;
            }

            operation.Timer?.Dispose();
            return 0;
        }
    }

    /// <summary>Cancels everything (the process ended).</summary>
    public void CloseAll()
    {
        lock (_lock)
        {
            foreach (var operation in _operations.Values)
            {
                operation.Timer?.Dispose();
            }

            _operations.Clear();
        }

        Completed.Set();
    }
}
