#pragma once

#include "storesnapshot.h"

#include <QJsonObject>

namespace lockscope {

// The JSON form of a scan, documented in docs/json-schema.md. The command line,
// the GUI's "Copy diagnostics" and the audit log's evidence all use it.
constexpr int kJsonSchemaVersion = 1;

QJsonObject snapshotToJson(const StoreSnapshot &snapshot, qint64 bootNowMs);
QJsonObject lockToJson(const LockEntry &lock, const StoreSnapshot *snapshot, qint64 wallNowMs,
                       qint64 bootNowMs);
QJsonObject sessionToJson(const SessionEntry &session, const StoreSnapshot &snapshot);

} // namespace lockscope
