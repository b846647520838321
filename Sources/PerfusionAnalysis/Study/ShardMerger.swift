import Foundation

/// Combines the results folders of shards (`batch --shard K/N`) into the folder a single run would write.
public enum ShardMerger {
    /// Merges `shards` into `output`; every shard must come from the same study and settings.
    public static func merge(_ shards: [String], into output: String) throws -> RunManifest {
        var merged: RunManifest?
        for shard in shards {
            guard let manifest = RunManifest.load(shard) else {
                throw PerfusionAnalysisError.unusableResults(
                    path: shard, detail: "no readable \(RunManifest.fileName): not a results folder of `echoflow batch`"
                )
            }
            if let current = merged {
                guard current.study == manifest.study, current.settings == manifest.settings,
                    current.echoflowVersion == manifest.echoflowVersion
                else {
                    throw PerfusionAnalysisError.unusableResults(
                        path: shard, detail: "comes from another study, settings or Echoflow version than \(shards[0])")
                }
                for (key, record) in manifest.clips {
                    if let existing = current.clips[key], existing.status == "ok", record.status != "ok" { continue }
                    merged!.clips[key] = record
                }
            } else {
                merged = manifest
            }
            if (shard as NSString).standardizingPath != (output as NSString).standardizingPath {
                for (key, record) in manifest.clips where record.status == "ok" {
                    let source = (shard as NSString).appendingPathComponent(key)
                    let target = (output as NSString).appendingPathComponent(key)
                    try? FileManager.default.removeItem(atPath: target)
                    try FileManager.default.createDirectory(
                        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try FileManager.default.copyItem(atPath: source, toPath: target)
                }
            }
        }
        merged?.shard = nil
        guard let result = merged else {
            throw PerfusionAnalysisError.invalidSetting(name: "merge", detail: "no results folders given")
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try result.write(to: output)
        try StudyTables.write(manifest: result, to: output)
        return result
    }
}
