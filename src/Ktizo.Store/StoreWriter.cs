using Microsoft.Data.Sqlite;

namespace Ktizo.Store;

/// <summary>
/// The store file's only connection, shared by <see cref="DeviceStore"/> and <see cref="SqliteIssueOutbox"/>.
/// <para>
/// Why one: two connections writing one SQLite file contend for its write lock, and a blocked writer is
/// not woken when the lock frees but sleeps in <c>busy_timeout</c>'s back-off (up to 100 ms a try), which
/// is what a boot storm's first sightings did while the GitHub worker recorded issues. Here every
/// statement runs under one gate instead, and writes are group-committed: <see cref="WriteAsync"/> queues a
/// write, and one pool thread commits everything queued meanwhile in one transaction (one fsync with
/// <c>synchronous=FULL</c>), each caller completing only once the commit holding its write is on disk.
/// </para>
/// </summary>
internal sealed class StoreWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _queueLock = new();
    private List<PendingWrite> _queued = [];
    private bool _writing;
    private bool _disposed;

    public StoreWriter(SqliteConnection connection) => _connection = connection;

    public string Path => _connection.DataSource;

    /// <summary>
    /// Queues <paramref name="write"/> for the next group commit. Once queued it is committed whatever
    /// happens to the caller; <see cref="PendingWrite.Complete"/> runs after the commit (or its failure).
    /// </summary>
    public void Enqueue(PendingWrite write)
    {
        lock (_queueLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _queued.Add(write);
            if (_writing)
            {
                return;
            }

            _writing = true;
        }

        _ = Task.Run(CommitQueuedAsync, CancellationToken.None);
    }

    /// <summary>Runs <paramref name="apply"/> in the next group commit; the task ends once it is durable.</summary>
    public Task<T> WriteAsync<T>(Func<WriteBatch, T> apply, CancellationToken cancellationToken)
    {
        var write = new FuncWrite<T>(apply);
        Enqueue(write);
        return write.Result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="action"/> alone on the connection (reads, rare writes in autocommit).</summary>
    public async Task<T> ExclusiveAsync<T>(Func<SqliteConnection, T> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc cref="ExclusiveAsync{T}"/>
    public T Exclusive<T>(Func<SqliteConnection, T> action)
    {
        _gate.Wait();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs <paramref name="last"/> under the gate, then closes the connection; later calls throw.</summary>
    public void Dispose(Action<SqliteConnection> last)
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                last(_connection);
            }
            finally
            {
                lock (_queueLock)
                {
                    _disposed = true;
                }

                _connection.Dispose();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => Dispose(_ => { });

    // Runs until nothing is queued. Whatever arrives during one commit goes into the next.
    private async Task CommitQueuedAsync()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_queueLock)
            {
                if (_queued.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = _queued;
                _queued = [];
            }

            Exception? failure = null;
            var own = new Exception?[batch.Count];
            await _gate.WaitAsync().ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                using var transaction = _connection.BeginTransaction();
                using (var writeBatch = new WriteBatch(_connection, transaction))
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        own[i] = Apply(batch[i], writeBatch);
                    }
                }

                transaction.Commit();
            }
            catch (Exception ex)
            {
                // One transaction: nothing of this batch was written, so every write in it reports the failure.
                failure = ex;
            }
            finally
            {
                _gate.Release();
            }

            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Complete(failure ?? own[i]);
            }
        }
    }

    // A write that may throw for reasons of its own (a caller's callback, say) runs in a savepoint, so its
    // failure is its alone and the first sightings sharing the transaction still commit.
    private static Exception? Apply(PendingWrite write, WriteBatch batch)
    {
        if (!write.Isolated)
        {
            write.Apply(batch);
            return null;
        }

        batch.Transaction.Save("write");
        try
        {
            write.Apply(batch);
            batch.Transaction.Release("write");
            return null;
        }
        catch (Exception ex) when (ex is not SqliteException { SqliteErrorCode: 10 or 13 })
        {
            // Not an I/O error or a full disk (SQLITE_IOERR, SQLITE_FULL): those end the whole batch.
            batch.Transaction.Rollback("write");
            batch.Transaction.Release("write");
            return ex;
        }
    }

    private sealed class FuncWrite<T>(Func<WriteBatch, T> apply) : PendingWrite
    {
        private T? _value;

        public override bool Isolated => true;

        // Continuations on the pool, not on the committing thread, so the next batch starts at once.
        public TaskCompletionSource<T> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Apply(WriteBatch batch) => _value = apply(batch);

        public override void Complete(Exception? failure)
        {
            if (failure is null)
            {
                Result.TrySetResult(_value!);
            }
            else
            {
                Result.TrySetException(failure);
            }
        }
    }
}

/// <summary>One write in a group commit.</summary>
internal abstract class PendingWrite
{
    /// <summary>True when the write may fail alone: it then runs in a savepoint of the group's transaction.</summary>
    public virtual bool Isolated => false;

    /// <summary>Runs the write's statements inside the group's transaction (not yet durable).</summary>
    public abstract void Apply(WriteBatch batch);

    /// <summary>After the commit: <paramref name="failure"/> is null when the write is on disk.</summary>
    public abstract void Complete(Exception? failure);
}

/// <summary>The transaction of one group commit, with its commands prepared once per statement text.</summary>
internal sealed class WriteBatch(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    public SqliteTransaction Transaction => transaction;

    /// <summary>
    /// The command for <paramref name="sql"/> with the named parameters, prepared on first use in this
    /// batch; set <c>Parameters[i].Value</c> in the order given, then execute.
    /// </summary>
    public SqliteCommand Command(string sql, params ReadOnlySpan<string> parameters)
    {
        if (_commands.TryGetValue(sql, out var command))
        {
            return command;
        }

        command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _commands[sql] = command;
        return command;
    }

    /// <summary>Runs <paramref name="sql"/> with its one parameter; the rows it changed.</summary>
    public int Execute(string sql, string parameter, object? value)
    {
        var command = Command(sql, parameter);
        command.Parameters[0].Value = value ?? DBNull.Value;
        return command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
