using Recipes.Locks.Internal;

namespace Recipes.Locks.Tests;

public sealed class ReadWritePredicatesTests
{
    private const string P = "_c_7cd0ad64-c56e-4e66-9cbb-d641d833100a-";

    [Fact]
    public void AReaderWithNoWriterBeforeItIsGranted()
    {
        string[] names = [P + "__READ__0000000000", P + "__READ__0000000001", P + "__WRIT__0000000002"];
        Assert.True(ReadWritePredicates.Reader(names, 1).IsGranted);
        Assert.True(ReadWritePredicates.Reader(names, 0).IsGranted);
    }

    [Fact]
    public void AReaderWaitsForTheLastWriterBeforeIt()
    {
        string[] names = [P + "__WRIT__0000000000", P + "__READ__0000000001", P + "__WRIT__0000000002", P + "__READ__0000000003", P + "__READ__0000000004"];
        Assert.Equal(names[2], ReadWritePredicates.Reader(names, 4).WatchNodeName);
        Assert.Equal(names[2], ReadWritePredicates.Reader(names, 3).WatchNodeName);
        Assert.Equal(names[0], ReadWritePredicates.Reader(names, 1).WatchNodeName);
    }

    [Fact]
    public void AWriterMustBeFirstAndWaitsForItsPredecessor()
    {
        string[] names = [P + "__READ__0000000000", P + "__WRIT__0000000001"];
        Assert.Equal(names[0], ReadWritePredicates.Writer(names, 1).WatchNodeName);
        Assert.True(ReadWritePredicates.Writer(names, 0).IsGranted);
    }
}
