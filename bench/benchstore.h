#pragma once

// The stores the benchmarks measure: realistic recordings over many projects,
// and a few hundred lock files in every state.

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <sys/types.h>

namespace lockscope::bench {

struct Store
{
    QString root; // the folder to scan (<dir>/tmp)
    qint64 bytes = 0;
    int recordings = 0;
    int locks = 0;
    int projects = 0;
    QVector<QByteArray> chats; // every chats folder
};

// Children that play live holders, until stopSleepers().
QVector<pid_t> startSleepers(int count);
void stopSleepers(const QVector<pid_t> &pids);
// A PID that existed a moment ago and is reaped now.
pid_t deadPid();

// Ids are derived from the index, so that a kept store's sessions are known.
QString sessionIdAt(int index);

// Writes a store of `recordings` recordings over recordings / 100 projects (at
// least 10) under `dir`, with 700 lock files naming `live` and dead processes.
// With `keep`, recordings written by an earlier run are used again (they take
// minutes at 100,000) and only the locks are written anew.
Store generate(const QString &dir, int recordings, const QVector<pid_t> &live, bool keep);

} // namespace lockscope::bench
