using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Ktizo.Hosting.Tests;

public sealed class SignalOrTimeoutTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task Wait_WhenAChannelBecomesReadable_IsTrueBeforeTheTimeout()
    {
        var channel = Channel.CreateUnbounded<int>();
        var wait = SignalOrTimeout.WaitAsync(t => channel.Reader.WaitToReadAsync(t).AsTask(), TimeSpan.FromMinutes(10), _clock, default);
        Assert.False(wait.IsCompleted);

        channel.Writer.TryWrite(1);

        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Wait_WhenTheTimeoutPassesFirst_IsFalse()
    {
        var channel = Channel.CreateUnbounded<int>();
        var wait = SignalOrTimeout.WaitAsync(t => channel.Reader.WaitToReadAsync(t).AsTask(), TimeSpan.FromMinutes(10), _clock, default);

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.False(wait.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Wait_WhenCancelled_IsFalseWithoutThrowing()
    {
        using var stopping = new CancellationTokenSource();
        var semaphore = new SemaphoreSlim(0, 1);
        var wait = SignalOrTimeout.WaitAsync(semaphore.WaitAsync, TimeSpan.FromMinutes(10), _clock, stopping.Token);

        await stopping.CancelAsync();

        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, semaphore.CurrentCount);
    }

    [Fact]
    public async Task Wait_OnASemaphore_TakesTheReleaseItReportsAndLeavesNoWaiterBehind()
    {
        var semaphore = new SemaphoreSlim(0, 1);
        var wait = SignalOrTimeout.WaitAsync(semaphore.WaitAsync, TimeSpan.FromMinutes(10), _clock, default);

        semaphore.Release();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, semaphore.CurrentCount);

        // A timed-out wait leaves no waiter on the semaphore: the next release stays for the next wait.
        var timedOut = SignalOrTimeout.WaitAsync(semaphore.WaitAsync, TimeSpan.FromSeconds(1), _clock, default);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await timedOut.WaitAsync(TimeSpan.FromSeconds(10)));
        semaphore.Release();
        Assert.Equal(1, semaphore.CurrentCount);
    }
}
