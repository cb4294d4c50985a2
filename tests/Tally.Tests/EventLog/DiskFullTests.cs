using Tally.EventLog.Embedded;

namespace Tally.Tests.EventLog;

public sealed class DiskFullTests
{
    [Theory]
    [InlineData(28)]  // ENOSPC
    [InlineData(122)] // EDQUOT
    public void IsCause_IOExceptionWithFullDiskErrno_True(int errno) =>
        Assert.True(DiskFull.IsCause(new IOException("No space left on device : '/data/log'", errno)));

    [Fact]
    public void IsCause_FullDiskWrappedInAnotherException_True() =>
        Assert.True(DiskFull.IsCause(new InvalidOperationException("write failed", new IOException("disk", 28))));

    [Theory]
    [InlineData(5)]  // EIO
    [InlineData(13)] // EACCES
    public void IsCause_OtherErrno_False(int errno) =>
        Assert.False(DiskFull.IsCause(new IOException("Input/output error", errno)));
}
