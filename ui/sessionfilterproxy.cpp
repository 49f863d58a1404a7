#include "sessionfilterproxy.h"

#include "sessionrow.h"
#include "sessiontablemodel.h"

namespace lockscope {

SessionFilterProxy::SessionFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SessionTableModel::SortRole);
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void SessionFilterProxy::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    invalidateFilter();
}

void SessionFilterProxy::setQuickFilter(QuickFilter filter)
{
    if (filter == m_quick)
        return;
    m_quick = filter;
    invalidateFilter();
}

void SessionFilterProxy::setRootScope(const QString &root)
{
    m_root = root;
    m_chats.clear();
    invalidateFilter();
}

void SessionFilterProxy::setChatsScope(const QString &chatsDir)
{
    m_chats = chatsDir;
    m_root.clear();
    invalidateFilter();
}

void SessionFilterProxy::clearScope()
{
    m_chats.clear();
    m_root.clear();
    invalidateFilter();
}

bool SessionFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    switch (m_quick) {
    case All:
        break;
    case NeedsAttention:
        if (!index.data(SessionTableModel::AttentionRole).toBool())
            return false;
        break;
    case Held:
        if (index.data(SessionTableModel::StateRole).toInt() != int(RowState::Held))
            return false;
        break;
    case Idle:
        if (!index.data(SessionTableModel::IdleRole).toBool())
            return false;
        break;
    }
    if (!m_chats.isEmpty() && index.data(SessionTableModel::ChatsDirRole).toString() != m_chats)
        return false;
    if (!m_root.isEmpty() && index.data(SessionTableModel::RootRole).toString() != m_root)
        return false;
    if (m_text.isEmpty())
        return true;
    const QString haystack = index.data(SessionTableModel::FilterTextRole).toString();
    const QStringList words = m_text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &word : words) {
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

bool SessionFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (const auto *model = qobject_cast<const SessionTableModel *>(sourceModel())) {
        if (const auto less = model->lessThan(left.row(), right.row(), left.column()))
            return *less;
    }
    const QVariant l = left.data(SessionTableModel::SortRole);
    const QVariant r = right.data(SessionTableModel::SortRole);
    if (l.typeId() == QMetaType::QString || r.typeId() == QMetaType::QString)
        return QString::localeAwareCompare(l.toString(), r.toString()) < 0;
    return l.toLongLong() < r.toLongLong();
}

} // namespace lockscope
