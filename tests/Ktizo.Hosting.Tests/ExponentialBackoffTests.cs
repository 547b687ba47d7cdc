namespace Ktizo.Hosting.Tests;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void After_DoublesFromTheFirstWait_UpToTheCap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));

        Assert.Equal(
            [1, 2, 4, 8, 10, 10],
            Enumerable.Range(1, 6).Select(n => backoff.After(n).TotalSeconds));
    }

    [Fact]
    public void After_AFirstWaitAboveTheCap_GivesTheCap()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(2));

        Assert.Equal(TimeSpan.FromMinutes(2), backoff.After(1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void After_FewerThanOneFailure_CountsAsOne(int failures)
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(2));

        Assert.Equal(TimeSpan.FromSeconds(2), backoff.After(failures));
    }

    [Fact]
    public void After_ThousandsOfFailures_StaysAtTheCapWithoutOverflow()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30));

        Assert.Equal(TimeSpan.FromMinutes(30), backoff.After(10_000));
        Assert.Equal(TimeSpan.FromMinutes(30), backoff.After(int.MaxValue));
    }
}
