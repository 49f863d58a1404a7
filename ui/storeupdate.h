#pragma once

#include "sessionrow.h"
#include "storescanner.h"

#include <QMetaType>
#include <QString>
#include <QVector>

#include <memory>

namespace lockscope {

using PiecePtr = std::shared_ptr<const ScanPiece>;

// What changed in one folder, as the scan worker built it, so that the GUI
// thread only merges: rows that are new or changed, and the keys of rows that
// went. A null piece means the folder is gone and all its rows go with it.
struct FolderRows
{
    QString key;
    PiecePtr piece;
    QVector<SessionRow> rows;
    QStringList removed;
};

// What one step of a scan changed. A full scan of a large store arrives in
// several updates, so that rows show while the rest is still being read; a
// folder rescan arrives in one. Folders whose rows did not change are left out.
struct StoreUpdate
{
    QVector<FolderRows> folders;
    bool last = false;         // the scan or rescan is done
    bool fullScan = false;     // it walked every root, so the store is now fully known
    bool moreToDeepen = false; // some folders' events are not read yet
};

} // namespace lockscope

Q_DECLARE_METATYPE(lockscope::StoreUpdate)
