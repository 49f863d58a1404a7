#pragma once

#include "clock.h"
#include "storesnapshot.h"

#include <QSet>

namespace lockscope {

// Reads and judges the lock-like entries of one open chats directory. The
// scanner uses it for every entry; the remover uses it to judge one entry again
// right before deleting it.
class LockInspector
{
public:
    LockInspector(const ProcessProbe &probe, const JudgeContext &context);

    void setLegacyRoot(bool legacy) { m_legacyRoot = legacy; }
    // Session ids that have a recording in this directory, for the orphaned flag.
    // Without it, every lock is assumed to have one.
    void setRecordedSessions(const QSet<QString> *ids) { m_recorded = ids; }
    // For the remover, which holds the guard itself while it judges again.
    void setIgnoreGuard(bool ignore) { m_ignoreGuard = ignore; }

    // dirPath is only used for display and self-ownership checks.
    LockEntry inspect(int dirfd, const QByteArray &dirPath, const QByteArray &name,
                      const DirectoryFacts &directory) const;

    const JudgeContext &context() const { return m_context; }
    const ProcessProbe &probe() const { return m_probe; }

private:
    bool looksLikeSessionLock(const LockEntry &entry) const;
    LockEntry readHolderEntry(int dirfd, const QByteArray &dirPath, const QByteArray &name,
                              EntryKind kind, const QString &key,
                              const DirectoryFacts &directory) const;
    LockInputs inputsFor(const LockEntry &entry) const;

    const ProcessProbe &m_probe;
    JudgeContext m_context;
    bool m_legacyRoot = false;
    bool m_ignoreGuard = false;
    const QSet<QString> *m_recorded = nullptr;
};

JudgeContext makeJudgeContext(const Clock &clock, const ProcessProbe &probe);

} // namespace lockscope
