namespace DvcSync.Application;

public static class ApplicationAssembly;
