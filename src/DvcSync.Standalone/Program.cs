return await DvcSync.Standalone.StandaloneApp.RunAsync(args);
